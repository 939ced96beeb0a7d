using Monitor.Core.Keys;
using Monitor.Core.Pricing;

namespace Monitor.Core.Usage;

/// <summary>
/// Compares an account's two usage sources on one completed UTC day: the provider's reported usage (the bill) less
/// what the metering proxy metered is usage that did not go through the proxy: other keys, other machines, a leaked
/// key. By cost where both sides are priced in one currency, by tokens otherwise; per model for the evidence, and per
/// key where the provider splits by key and its listing maps the key to a fingerprint or last four the proxy never saw.
/// </summary>
public static class UnmeteredUsage
{
    public static UnmeteredDay Compare(
        string account, DateTimeOffset day, IReadOnlyList<SourceUsage> rows, IReadOnlyList<ApiKeyInfo> keys, UnmeteredRules rules)
    {
        var currency = PricedCurrency(rows);
        var byCost = currency is not null;
        var measure = byCost ? UnmeteredMeasure.Cost : UnmeteredMeasure.Tokens;
        long Amount(SourceUsage r) => byCost ? r.CostMicros : r.Tokens;

        var reported = rows.Where(r => !r.Metered).Sum(Amount);
        var metered = rows.Where(r => r.Metered).Sum(Amount);
        var gap = Math.Max(0, reported - metered);
        var share = reported == 0 ? 0m : decimal.Round(gap * 100m / reported, 1);
        if (share < rules.TolerancePercent)
            (gap, share) = (0, 0m);
        var minimum = byCost ? MoneyUnits.ToMicros(rules.MinAmountPerDay) : rules.MinTokensPerDay;

        return new UnmeteredDay
        {
            Account = account,
            Day = day,
            Measure = measure,
            Currency = currency,
            Reported = reported,
            Metered = metered,
            Unmetered = gap,
            SharePercent = share,
            Exceeds = gap > 0 && gap >= minimum && share >= rules.MinSharePercent,
            Lines = Lines(rows),
            Keys = gap == 0 ? [] : UnseenKeys(rows, keys),
        };
    }

    private static List<UnmeteredLine> Lines(IReadOnlyList<SourceUsage> rows) =>
    [
        .. rows.GroupBy(r => r.Model, StringComparer.Ordinal).Select(g =>
        {
            var currency = PricedCurrency(g);
            var priced = currency is not null;
            return new UnmeteredLine
            {
                Model = g.Key,
                Currency = currency,
                ReportedMicros = priced ? g.Where(r => !r.Metered).Sum(r => r.CostMicros) : null,
                MeteredMicros = priced ? g.Where(r => r.Metered).Sum(r => r.CostMicros) : null,
                ReportedTokens = g.Where(r => !r.Metered).Sum(r => r.Tokens),
                MeteredTokens = g.Where(r => r.Metered).Sum(r => r.Tokens),
                ReportedRequests = g.Where(r => !r.Metered).Sum(r => r.Requests),
                MeteredRequests = g.Where(r => r.Metered).Sum(r => r.Requests),
            };
        })
        .OrderByDescending(l => l.GapMicros ?? long.MinValue).ThenByDescending(l => l.GapTokens).ThenBy(l => l.Model, StringComparer.Ordinal),
    ];

    private static List<UnmeteredKey> UnseenKeys(IReadOnlyList<SourceUsage> rows, IReadOnlyList<ApiKeyInfo> keys)
    {
        var seen = rows.Where(r => r.Metered).Select(r => r.KeyId).Distinct(StringComparer.Ordinal).ToList();
        var listed = keys.GroupBy(k => k.KeyId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        return
        [
            .. rows.Where(r => !r.Metered && r.KeyId.Length > 0).GroupBy(r => r.KeyId, StringComparer.Ordinal)
                .Where(g => listed.TryGetValue(g.Key, out var key) && KeyMatch.CanMatch(key) && !seen.Any(f => KeyMatch.Matches(f, key)))
                .Select(g => PricedCurrency(g) is { } currency
                    ? new UnmeteredKey(listed[g.Key], currency, g.Sum(r => r.CostMicros), g.Sum(r => r.Tokens))
                    : new UnmeteredKey(listed[g.Key], null, null, g.Sum(r => r.Tokens)))
                .OrderByDescending(k => k.CostMicros ?? -1).ThenByDescending(k => k.Tokens).ThenBy(k => k.Key.KeyId, StringComparer.Ordinal),
        ];
    }

    // The one currency all these rows are priced in, or null when some row is unpriced or the currencies differ: only
    // then do their costs compare.
    private static string? PricedCurrency(IEnumerable<SourceUsage> rows)
    {
        string? currency = null;
        foreach (var r in rows)
        {
            if (r.UnpricedRows != 0 || (currency is not null && currency != r.Currency))
                return null;
            currency = r.Currency;
        }

        return currency;
    }
}
