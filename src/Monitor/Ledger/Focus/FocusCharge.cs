namespace Monitor.Ledger.Focus;

/// <summary>
/// One row of the FOCUS Cost and Usage export: the tokens of one class (or the billed units) of one ledger record, with
/// its share of the record's cost. Money is in <see cref="BillingCurrency"/>, rounded to micro-units; times are UTC.
/// Which FOCUS column each property fills is in <see cref="FocusColumns"/>.
/// </summary>
public sealed record FocusCharge
{
    public required decimal BilledCost { get; init; }
    public required string BillingAccountId { get; init; }
    public required string BillingAccountName { get; init; }
    public required string BillingCurrency { get; init; }
    public required DateTimeOffset BillingPeriodStart { get; init; }
    public required DateTimeOffset BillingPeriodEnd { get; init; }
    public required string ChargeDescription { get; init; }
    public required DateTimeOffset ChargePeriodStart { get; init; }
    public required DateTimeOffset ChargePeriodEnd { get; init; }
    public required decimal ConsumedQuantity { get; init; }
    public required string ConsumedUnit { get; init; }
    public required decimal ContractedCost { get; init; }
    public string? CredentialId { get; init; }
    public required decimal EffectiveCost { get; init; }
    public required string ServiceProviderName { get; init; }
    public required string ServiceName { get; init; }
    public required decimal ListCost { get; init; }
    public decimal? ListUnitPrice { get; init; }
    public required decimal PricingQuantity { get; init; }
    public required string PricingUnit { get; init; }
    public string? SkuId { get; init; }
    public string? SkuMeter { get; init; }
    public string? SkuPriceDetails { get; init; }
    public string? SkuPriceId { get; init; }
    public string? SubAccountId { get; init; }
    public required string Tags { get; init; }

    /// <summary>How the record's cost was divided among its rows: <c>ListPrice</c>, <c>Quantity</c> or <c>Whole</c> (one row).</summary>
    public required string CostAllocation { get; init; }

    /// <summary>The ledger's cost source of the record: <c>reported</c>, <c>estimated</c> or <c>unpriced</c>.</summary>
    public required string CostSource { get; init; }

    /// <summary>This row's share of the catalog estimate; null when the record has none.</summary>
    public decimal? EstimatedCost { get; init; }

    /// <summary>The reasoning part of the output tokens (already in ConsumedQuantity); null on other rows.</summary>
    public long? ReasoningTokens { get; init; }

    /// <summary>The model of the SKU price: SkuPriceDetails' ModelId (working draft); null where the row has no SKU.</summary>
    public string? ModelId { get; init; }

    /// <summary>SkuPriceDetails' TokenDirection (working draft): <c>Input</c> or <c>Output</c>; null where the row is not tokens.</summary>
    public string? TokenDirection { get; init; }

    /// <summary>SkuPriceDetails' TokenCacheAction (working draft): <c>Uncached</c>, <c>Read</c> or <c>Write</c>; null on output and non-token rows and where the input meter also holds cache writes.</summary>
    public string? TokenCacheAction { get; init; }
}
