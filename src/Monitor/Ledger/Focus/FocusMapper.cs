using System.Globalization;
using System.Text.Json.Nodes;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Storage;

namespace Monitor.Ledger.Focus;

/// <summary>
/// Turns one counted ledger record into FOCUS rows, one per token class with tokens (input, cache read, cache write,
/// output), or one for billed units that are not tokens, or one carrying a cost reported without any count. Pure: the
/// record and the catalog's list prices in, rows out.
/// <list type="bullet">
/// <item>BilledCost and EffectiveCost are the provider-reported cost; a record whose ledger cost is only our estimate
/// (or unpriced) bills 0, because BilledCost is the bill and nobody billed that figure. The estimate is in
/// x_EstimatedCost on every row that has one, and x_CostSource says which kind the record is.</item>
/// <item>A record's cost is one figure for all its classes: it is split in proportion to each class's cost at the
/// catalog's list prices (x_CostAllocation <c>ListPrice</c>), or in proportion to the counts where the catalog cannot
/// price every part (<c>Quantity</c>); the parts add up to the record to the micro-unit.</item>
/// <item>ListCost is ListUnitPrice × PricingQuantity where the catalog prices the class, else BilledCost (FOCUS ListCost
/// rule for a charge without a list unit price); ContractedCost equals ListCost (no negotiated prices are known).</item>
/// <item>CredentialId is the provider's key id; a key known only by its fingerprint (metering proxy) or by no id has none.</item>
/// </list>
/// ModelId, TokenDirection and TokenCacheAction follow the FOCUS working draft, which defines them as SkuPriceDetails
/// properties (specification/datasets/cost_and_usage/columns/skupricedetails.md, FOCUS_Spec working_draft), not columns;
/// the same values also fill the custom columns x_ModelId, x_TokenDirection and x_TokenCacheAction.
/// </summary>
public static class FocusMapper
{
    public const string TokensUnit = "Tokens";
    public const string MillionTokensUnit = "1000000 Tokens";
    private const decimal TokensPerPricingUnit = 1_000_000m;

    public static IReadOnlyList<FocusCharge> Map(CountedUsageRow row, TokenPrices? prices)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (!BucketWidths.TryParse(row.BucketWidth, out var width))
            throw new InvalidOperationException($"usage record {row.Account}/{row.Model} at {row.BucketStart}: bucket width '{row.BucketWidth}' is not 1m, 1h, 1d or month");
        var start = DateTimeOffset.FromUnixTimeSeconds(row.BucketStart);
        var month = new DateTimeOffset(start.Year, start.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var (provider, service) = FocusProvider.Of(row.Provider, row.Account);

        var parts = Parts(row);
        var listPrices = parts.Select(p => prices?.PerMillion(p.Meter) is { } m ? decimal.Round(m, 6) : (decimal?)null).ToArray();
        var byList = listPrices.All(p => p is not null) && parts.Select((p, i) => p.Quantity * listPrices[i]!.Value).Sum() > 0m;
        IReadOnlyList<decimal> weights = byList ? [.. parts.Select((p, i) => p.Quantity * listPrices[i]!.Value)] : [.. parts.Select(p => (decimal)p.Quantity)];
        var billed = CostSplit.Proportional(row.CostSource == "reported" ? row.CostMicros ?? 0 : 0, weights);
        var estimate = row.EstimatedCostMicros ?? (row.CostSource == "estimated" ? row.CostMicros : null);
        var estimated = estimate is { } e ? CostSplit.Proportional(e, weights) : null;
        var allocation = parts.Count == 1 ? "Whole" : byList ? "ListPrice" : "Quantity";

        var charges = new List<FocusCharge>(parts.Count);
        for (var i = 0; i < parts.Count; i++)
        {
            var (meter, quantity) = parts[i];
            var unit = UnitOf(meter, row.Unit);
            var pricingQuantity = IsTokens(meter) ? quantity / TokensPerPricingUnit : quantity;
            var billedCost = MoneyUnits.FromMicros(billed[i]);
            var listCost = listPrices[i] is { } price ? decimal.Round(price * pricingQuantity, 6, MidpointRounding.AwayFromZero) : billedCost;
            var sku = Sku(row, meter);
            charges.Add(new FocusCharge
            {
                BilledCost = billedCost,
                BillingAccountId = row.Account,
                BillingAccountName = row.Account,
                BillingCurrency = row.Currency,
                BillingPeriodStart = month,
                BillingPeriodEnd = month.AddMonths(1),
                ChargeDescription = Description(row, meter, sku?.Meter),
                ChargePeriodStart = start,
                ChargePeriodEnd = width.EndOf(start),
                ConsumedQuantity = quantity,
                ConsumedUnit = unit,
                ContractedCost = listCost,
                CredentialId = CredentialOf(row),
                EffectiveCost = billedCost,
                ServiceProviderName = provider,
                ServiceName = service,
                ListCost = listCost,
                ListUnitPrice = listPrices[i],
                PricingQuantity = pricingQuantity,
                PricingUnit = IsTokens(meter) ? MillionTokensUnit : unit,
                SkuId = sku?.Id,
                SkuMeter = sku?.Meter,
                SkuPriceDetails = sku?.Details,
                SkuPriceId = sku?.PriceId,
                SubAccountId = row.Workspace is "" or BillSlices.OutsideWorkspaces ? null : row.Workspace,
                Tags = Tags(row),
                CostAllocation = allocation,
                CostSource = row.CostSource,
                EstimatedCost = estimated is null ? null : MoneyUnits.FromMicros(estimated[i]),
                ReasoningTokens = meter == ChargeMeter.OutputTokens ? row.ReasoningTokens : null,
                ModelId = sku?.ModelId,
                TokenDirection = sku?.TokenDirection,
                TokenCacheAction = sku?.TokenCacheAction,
            });
        }

        return charges;
    }

    /// <summary>
    /// The provider's key id; null where the charge has no key, the provider could not name it, or the id is the
    /// fingerprint the metering proxy records (hash prefix and the key's last four: not a published identifier).
    /// </summary>
    public static string? CredentialOf(CountedUsageRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.KeyId is "" or BillSlices.Unattributed || row.KeyId == row.KeyFingerprint ? null : row.KeyId;
    }

    private static List<(ChargeMeter Meter, long Quantity)> Parts(CountedUsageRow row)
    {
        List<(ChargeMeter Meter, long Quantity)> parts = [];
        if (row.InputTokens > 0)
            parts.Add((ChargeMeter.InputTokens, row.InputTokens));
        if (row.CachedInputTokens > 0)
            parts.Add((ChargeMeter.CacheReadTokens, row.CachedInputTokens));
        if (row.CacheWriteTokens > 0)
            parts.Add((ChargeMeter.CacheWriteTokens, row.CacheWriteTokens));
        if (row.OutputTokens > 0)
            parts.Add((ChargeMeter.OutputTokens, row.OutputTokens));
        if (row.Units > 0)
            parts.Add((ChargeMeter.Units, row.Units));
        if (parts.Count == 0)
            parts.Add((ChargeMeter.Requests, row.Requests));
        return parts;
    }

    private static bool IsTokens(ChargeMeter meter) => meter <= ChargeMeter.OutputTokens;

    private static string UnitOf(ChargeMeter meter, string unit) => meter switch
    {
        ChargeMeter.Units => unit.Length == 0 ? "Units" : string.Concat(unit[..1].ToUpperInvariant(), unit[1..]),
        ChargeMeter.Requests => "Requests",
        _ => TokensUnit,
    };

    /// <summary>The SKU price of one meter of a record, with the draft's AI properties that its SkuPriceDetails carries.</summary>
    private sealed record SkuPrice(string Id, string PriceId, string Meter, string ModelId, string? TokenDirection, string? TokenCacheAction, string Details);

    private static SkuPrice? Sku(CountedUsageRow row, ChargeMeter meter)
    {
        if (row.Model == BillSlices.Unattributed || meter == ChargeMeter.Requests)
            return null;
        var (slug, name) = meter switch
        {
            ChargeMeter.InputTokens => ("input-tokens", "Input Tokens"),
            ChargeMeter.CacheReadTokens => ("cache-read-input-tokens", "Cache Read Input Tokens"),
            ChargeMeter.CacheWriteTokens => ("cache-write-input-tokens", "Cache Write Input Tokens"),
            ChargeMeter.OutputTokens => ("output-tokens", "Output Tokens"),
            _ => (row.Unit.Length == 0 ? "units" : row.Unit, UnitOf(meter, row.Unit)),
        };
        var id = $"{row.Provider}/{row.Model}/{slug}";
        var action = CacheActionOf(row.Provider, meter);
        var direction = meter is ChargeMeter.OutputTokens ? "Output" : IsTokens(meter) ? "Input" : null;
        var details = new JsonObject { ["ModelId"] = row.Model };
        if (action is not null)
            details["TokenCacheAction"] = action;
        if (direction is not null)
            details["TokenDirection"] = direction;
        if (row.Category.Length > 0)
            details["x_Category"] = row.Category;
        return new SkuPrice(id, $"{id}/{(row.Category.Length == 0 ? "standard" : row.Category)}", name, row.Model, direction, action, details.ToJsonString());
    }

    /// <summary>
    /// TokenCacheAction (working draft): Read and Write for the cache meters; Uncached for input tokens only where the
    /// provider meters cache writes on a meter of their own (its cache writes are priced apart from input), since
    /// elsewhere the input meter also holds the tokens written to the cache and the draft then omits the property.
    /// </summary>
    private static string? CacheActionOf(string provider, ChargeMeter meter) => meter switch
    {
        ChargeMeter.CacheReadTokens => "Read",
        ChargeMeter.CacheWriteTokens => "Write",
        ChargeMeter.InputTokens when ProviderKinds.TryParse(provider, out var kind) && PricingRules.For(kind).CacheWriteFactor != 1m => "Uncached",
        _ => null,
    };

    private static string Description(CountedUsageRow row, ChargeMeter meter, string? skuMeter)
    {
        var what = meter == ChargeMeter.Requests
            ? string.Create(CultureInfo.InvariantCulture, $"{row.Requests} requests, cost reported without token counts")
            : skuMeter!;
        return row.Category.Length == 0 ? $"{row.Model}: {what}" : $"{row.Model} ({row.Category}): {what}";
    }

    /// <summary>Provider-defined tags of the monitor's own tag scheme, prefixed <c>monitor/</c>: where the record came from and its billing category.</summary>
    private static string Tags(CountedUsageRow row)
    {
        var tags = new JsonObject { ["monitor/source"] = row.Source };
        if (row.Category.Length > 0)
            tags["monitor/category"] = row.Category;
        return tags.ToJsonString();
    }
}
