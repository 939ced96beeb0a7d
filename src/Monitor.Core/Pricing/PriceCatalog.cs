using System.Text.RegularExpressions;
using Monitor.Core.Usage;

namespace Monitor.Core.Pricing;

/// <summary>
/// Effective-dated prices per provider, model and currency. A lookup answers with the price in force at the
/// bucket's time, or null: an unknown model, a currency with no published price, or a time before the first
/// price are all "unpriced", never zero. Currencies are never converted.
/// </summary>
public sealed partial class PriceCatalog
{
    private readonly Dictionary<(ProviderKind Family, string Model, Currency Currency), PriceEntry[]> _byModel = [];

    // Model names as providers spell them, resolved once to their price history (hot: every usage row asks).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(ProviderKind Family, string Model, Currency Currency), PriceEntry[]> _resolved = new();

    public PriceCatalog(IEnumerable<PriceEntry> entries)
    {
        var lists = new Dictionary<(ProviderKind, string, Currency), List<PriceEntry>>();
        foreach (var entry in entries)
        {
            var family = PricingRules.PricingFamily(entry.Provider);
            foreach (var name in entry.Aliases.Prepend(entry.Model))
            {
                var key = (family, Normalize(name), entry.Currency);
                if (!lists.TryGetValue(key, out var list))
                    lists[key] = list = [];
                // A later entry with the same model and date overrides an earlier one (user overrides come last).
                list.RemoveAll(e => e.EffectiveFrom == entry.EffectiveFrom);
                list.Add(entry);
            }
        }

        foreach (var (key, list) in lists)
            _byModel[key] = [.. list.OrderBy(e => e.EffectiveFrom)];
    }

    public IEnumerable<PriceEntry> Entries => _byModel.Values.SelectMany(e => e).Distinct();

    /// <summary>The price in force at <paramref name="at"/>, or null when the model is unpriced then.</summary>
    public PriceEntry? Find(ProviderKind provider, string model, Currency currency, DateTimeOffset at)
    {
        var family = PricingRules.PricingFamily(provider);
        var history = _resolved.GetOrAdd((family, model, currency), key =>
            _byModel.GetValueOrDefault((key.Family, Normalize(key.Model), key.Currency))
            ?? _byModel.GetValueOrDefault((key.Family, WithoutDateSuffix(Normalize(key.Model)), key.Currency))
            ?? []);
        return InForce(history, DateOnly.FromDateTime(at.UtcDateTime));
    }

    /// <summary>
    /// The estimated cost of <paramref name="tokens"/> at the price in force at <paramref name="at"/>, following the
    /// provider's cached-input and batch rules; null when the model is unpriced in that currency at that time.
    /// </summary>
    public decimal? Estimate(ProviderKind provider, string model, Currency currency, DateTimeOffset at, TokenCounts tokens, bool batch = false)
    {
        var price = Find(provider, model, currency, at);
        if (price is null)
            return null;
        if (tokens.Output > 0 && price.OutputPerMillion is null)
            return null; // an input-only price (embeddings) cannot price output tokens

        var rules = PricingRules.For(provider);
        var cached = price.CachedInputPerMillion ?? price.InputPerMillion * rules.CachedInputFactor;
        var write = price.CacheWritePerMillion ?? price.InputPerMillion * rules.CacheWriteFactor;
        var perMillion =
            tokens.Input * price.InputPerMillion
            + tokens.CachedInput * cached
            + tokens.CacheWrite * write
            + tokens.Output * (price.OutputPerMillion ?? 0m);
        var cost = perMillion / 1_000_000m;
        return batch ? cost * (1m - rules.BatchDiscount) : cost;
    }

    private static PriceEntry? InForce(PriceEntry[] history, DateOnly day)
    {
        PriceEntry? found = null;
        foreach (var entry in history)
        {
            if (entry.EffectiveFrom > day)
                break;
            found = entry;
        }

        return found;
    }

    private static string Normalize(string model) => model.Trim().ToLowerInvariant();

    // OpenAI and Anthropic usage names dated snapshots (gpt-4o-2024-08-06, claude-sonnet-4-20250514) that bill
    // as their family. Mistral's short dated ids (mistral-small-2506) are distinct models and are not stripped.
    private static string WithoutDateSuffix(string model) => DateSuffix().Replace(model, "");

    [GeneratedRegex(@"-(\d{4}-\d{2}-\d{2}|\d{8})$")]
    private static partial Regex DateSuffix();
}
