using System.Globalization;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;

namespace Monitor.Core.Deprecations;

/// <summary>How the list price changes from one model to another, from the price catalog, as one readable line.</summary>
public static class PriceChange
{
    public static string Describe(PriceCatalog catalog, ProviderKind provider, string from, string to, Currency currency, DateTimeOffset at)
    {
        var a = catalog.Find(provider, from, currency, at);
        var b = catalog.Find(provider, to, currency, at);
        var note = "";
        if ((a is null || b is null) && currency != Currency.USD
            && catalog.Find(provider, from, Currency.USD, at) is { } usdFrom && catalog.Find(provider, to, Currency.USD, at) is { } usdTo)
        {
            // Many models are only listed in USD: compare list prices there rather than say nothing.
            (a, b, currency, note) = (usdFrom, usdTo, Currency.USD, " (USD list prices)");
        }

        if (a is null || b is null)
            return $"unknown ({(a is null ? from : to)} has no {currency} price in the catalog)";
        var input = Part("input", a.InputPerMillion, b.InputPerMillion);
        return a.OutputPerMillion is { } ao && b.OutputPerMillion is { } bo
            ? $"{input}, {Part("output", ao, bo)} {currency} per 1M tokens{note}"
            : $"{input} {currency} per 1M tokens{note}";
    }

    /// <summary>The cost of <paramref name="tokens"/> at <paramref name="model"/>'s price, or null when it is unpriced.</summary>
    public static decimal? CostAt(PriceCatalog catalog, ProviderKind provider, string model, Currency currency, DateTimeOffset at, TokenCounts tokens) =>
        catalog.Estimate(provider, model, currency, at, tokens);

    public static string Percent(decimal from, decimal to) =>
        from == 0 ? "n/a" : ((to - from) / from).ToString("+0.#%;-0.#%;0%", CultureInfo.InvariantCulture);

    private static string Part(string label, decimal from, decimal to) =>
        string.Create(CultureInfo.InvariantCulture, $"{label} {from:0.00##} -> {to:0.00##} ({Percent(from, to)})");
}
