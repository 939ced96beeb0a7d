namespace Monitor.Ledger.Focus;

/// <summary>
/// The columns of <c>monitor export focus</c>, in order: the FOCUS 1.4 Cost and Usage columns that apply to LLM API
/// usage, alphabetically (the Mandatory ones, the Conditional ones whose condition holds: usage measurement, unit
/// pricing, list unit prices, sub accounts, tags; the Recommended ChargeFrequency and ServiceSubcategory), CredentialId
/// of the working draft (introduced in 1.5), then the custom <c>x_</c> columns, which FOCUS requires after its own.
/// Source: https://focus.finops.org/focus-specification/ (Cost and Usage dataset) and the FOCUS_Spec repository's
/// specification/datasets/cost_and_usage/.
/// <para>
/// x_ModelId, x_TokenDirection and x_TokenCacheAction repeat the working draft's SkuPriceDetails properties ModelId,
/// TokenDirection and TokenCacheAction as flat columns, so a spreadsheet or BI tool can filter by model and token class
/// without parsing JSON. The draft defines them as properties only, not columns (FOCUS_Spec working_draft,
/// specification/datasets/cost_and_usage/columns/skupricedetails.md, FOCUS-Defined Properties), and Attributes › Column
/// Handling requires every column FOCUS does not define to carry the <c>x_</c> prefix, so a later release defining
/// such a column cannot clash with ours. Same values as SkuPriceDetails: null where the row has none.
/// </para>
/// </summary>
public static class FocusColumns
{
    /// <summary>The FOCUS release the export follows.</summary>
    public const string Version = "1.4";

    public const string ServiceCategory = "AI and Machine Learning";
    public const string ServiceSubcategory = "Generative AI";

    public static IReadOnlyList<FocusColumn> All { get; } =
    [
        new("BilledCost", FocusDataType.Decimal, c => c.BilledCost),
        new("BillingAccountId", FocusDataType.String, c => c.BillingAccountId),
        new("BillingAccountName", FocusDataType.String, c => c.BillingAccountName),
        new("BillingCurrency", FocusDataType.String, c => c.BillingCurrency),
        new("BillingPeriodEnd", FocusDataType.DateTime, c => c.BillingPeriodEnd),
        new("BillingPeriodStart", FocusDataType.DateTime, c => c.BillingPeriodStart),
        new("ChargeCategory", FocusDataType.String, _ => "Usage"),
        new("ChargeClass", FocusDataType.String, _ => null),
        new("ChargeDescription", FocusDataType.String, c => c.ChargeDescription),
        new("ChargeFrequency", FocusDataType.String, _ => "Usage-Based"),
        new("ChargePeriodEnd", FocusDataType.DateTime, c => c.ChargePeriodEnd),
        new("ChargePeriodStart", FocusDataType.DateTime, c => c.ChargePeriodStart),
        new("ConsumedQuantity", FocusDataType.Decimal, c => c.ConsumedQuantity),
        new("ConsumedUnit", FocusDataType.String, c => c.ConsumedUnit),
        new("ContractedCost", FocusDataType.Decimal, c => c.ContractedCost),
        new("CredentialId", FocusDataType.String, c => c.CredentialId),
        new("EffectiveCost", FocusDataType.Decimal, c => c.EffectiveCost),
        new("HostProviderName", FocusDataType.String, c => c.ServiceProviderName),
        new("InvoiceIssuerName", FocusDataType.String, c => c.ServiceProviderName),
        new("ListCost", FocusDataType.Decimal, c => c.ListCost),
        new("ListUnitPrice", FocusDataType.Decimal, c => c.ListUnitPrice),
        new("PricingQuantity", FocusDataType.Decimal, c => c.PricingQuantity),
        new("PricingUnit", FocusDataType.String, c => c.PricingUnit),
        new("ServiceCategory", FocusDataType.String, _ => ServiceCategory),
        new("ServiceName", FocusDataType.String, c => c.ServiceName),
        new("ServiceProviderName", FocusDataType.String, c => c.ServiceProviderName),
        new("ServiceSubcategory", FocusDataType.String, _ => ServiceSubcategory),
        new("SkuId", FocusDataType.String, c => c.SkuId),
        new("SkuMeter", FocusDataType.String, c => c.SkuMeter),
        new("SkuPriceDetails", FocusDataType.Json, c => c.SkuPriceDetails),
        new("SkuPriceId", FocusDataType.String, c => c.SkuPriceId),
        new("SubAccountId", FocusDataType.String, c => c.SubAccountId),
        new("SubAccountName", FocusDataType.String, c => c.SubAccountId), // the ledger knows a workspace by its id only
        new("Tags", FocusDataType.Json, c => c.Tags),
        new("x_CostAllocation", FocusDataType.String, c => c.CostAllocation),
        new("x_CostSource", FocusDataType.String, c => c.CostSource),
        new("x_EstimatedCost", FocusDataType.Decimal, c => c.EstimatedCost),
        new("x_ModelId", FocusDataType.String, c => c.ModelId), // draft: SkuPriceDetails ModelId, columns/skupricedetails.md
        new("x_ReasoningTokens", FocusDataType.Decimal, c => c.ReasoningTokens is { } r ? (decimal)r : null),
        new("x_TokenCacheAction", FocusDataType.String, c => c.TokenCacheAction), // draft: SkuPriceDetails TokenCacheAction, columns/skupricedetails.md
        new("x_TokenDirection", FocusDataType.String, c => c.TokenDirection), // draft: SkuPriceDetails TokenDirection, columns/skupricedetails.md
    ];

    public static IReadOnlyList<string> Names { get; } = [.. All.Select(c => c.Name)];

    public static object?[] Cells(FocusCharge charge) => [.. All.Select(c => c.Value(charge))];
}
