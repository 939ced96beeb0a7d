namespace Monitor.Providers;

/// <summary>
/// The unit prices of one Mistral usage response (<c>prices[]</c>), keyed the way Mistral bills: a billing metric is
/// priced per billing group, and again per event type (<c>mistral-medium-3-5</c> / <c>input</c> has a token price and
/// a per-second audio price a hundred times higher), API zone and service tier. Matching on metric and group alone
/// picks whichever came last, which is how an independent client once inflated Vibe spend a hundredfold.
/// </summary>
internal sealed class MistralPriceIndex
{
    private const string TokenEvent = "api_tokens";
    private static readonly HashSet<string> TokenGroups = new(StringComparer.Ordinal) { "input", "cached", "output" };

    private readonly Dictionary<(string Metric, string Group), List<Price>> _prices = [];

    /// <param name="prices">The response's price rows (in order: among equal candidates the first wins).</param>
    public MistralPriceIndex(IEnumerable<(string? EventType, string Metric, string Group, string? Zone, string? Tier, decimal Price)> prices)
    {
        foreach (var p in prices)
        {
            if (!_prices.TryGetValue((p.Metric, p.Group), out var list))
                _prices[(p.Metric, p.Group)] = list = [];
            list.Add(new Price(p.EventType, p.Zone, p.Tier, p.Price));
        }
    }

    /// <summary>
    /// The unit price of a usage row, or null when none matches. The event type must match: a typed row takes the
    /// prices of its event type, else an untyped (legacy) price of the same metric and group; an untyped row takes an
    /// untyped price, else the only event type priced, else <c>api_tokens</c> for a token group; anything more
    /// ambiguous has no price. Among those, the row's zone and tier (global and standard when it names none) rank
    /// first; <paramref name="exact"/> is false when only another zone's or tier's price was left.
    /// </summary>
    public decimal? Find(string metric, string group, string? eventType, string? zone, string? tier, out bool exact)
    {
        exact = false;
        if (!_prices.TryGetValue((metric, group), out var all))
            return null;
        var candidates = Candidates(all, group, eventType);
        if (candidates.Count == 0)
            return null;
        var (wantZone, wantTier) = (zone ?? "global", tier ?? "standard");
        var best = candidates.MinBy(p => Rank(p, wantZone, wantTier))!;
        exact = Rank(best, wantZone, wantTier) == 0;
        return best.Value;
    }

    private static List<Price> Candidates(List<Price> all, string group, string? eventType)
    {
        if (eventType is not null)
        {
            var typed = all.Where(p => p.EventType == eventType).ToList();
            return typed.Count > 0 ? typed : [.. all.Where(p => p.EventType is null)];
        }

        var untyped = all.Where(p => p.EventType is null).ToList();
        if (untyped.Count > 0)
            return untyped;
        var events = all.Select(p => p.EventType).Distinct().ToList();
        if (events.Count == 1)
            return all;
        return TokenGroups.Contains(group) && events.Contains(TokenEvent) ? [.. all.Where(p => p.EventType == TokenEvent)] : [];
    }

    // A price for another zone weighs more than one for another tier; a price that names neither fits every row.
    private static int Rank(Price p, string zone, string tier) =>
        (p.Zone is not null && p.Zone != zone ? 2 : 0) + (p.Tier is not null && p.Tier != tier ? 1 : 0);

    private sealed record Price(string? EventType, string? Zone, string? Tier, decimal Value);
}
