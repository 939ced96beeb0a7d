using System.Text.RegularExpressions;
using Monitor.Core.Usage;

namespace Monitor.Core.Pricing;

/// <summary>
/// Effective-dated prices per provider, model, currency and tier. A lookup answers with the price in force at the
/// bucket's time, or null: an unknown model, a currency with no published price, or a time before the first
/// price are all "unpriced", never zero. Currencies are never converted. A tier with no price of its own (priority
/// usage of a model whose priority price the catalog lacks) is priced at the model's standard price.
/// </summary>
public sealed partial class PriceCatalog
{
    private readonly Dictionary<(ProviderKind Family, string Model, Currency Currency, string Tier), PriceEntry[]> _byModel = [];

    // Model names as providers spell them, resolved once to their price history (hot: every usage row asks).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(ProviderKind Family, string Model, Currency Currency, string Tier), PriceEntry[]> _resolved = new();

    public PriceCatalog(IEnumerable<PriceEntry> entries)
    {
        var lists = new Dictionary<(ProviderKind, string, Currency, string), List<PriceEntry>>();
        foreach (var entry in entries)
        {
            var family = PricingRules.PricingFamily(entry.Provider);
            foreach (var name in entry.Aliases.Prepend(entry.Model))
            {
                var key = (family, Normalize(name), entry.Currency, entry.Tier);
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

    /// <summary>
    /// The price in force at <paramref name="at"/>, or null when the model is unpriced then. With a
    /// <paramref name="tier"/>, that tier's price where the catalog has one in force, else the standard price.
    /// </summary>
    public PriceEntry? Find(ProviderKind provider, string model, Currency currency, DateTimeOffset at, string tier = "")
    {
        ArgumentNullException.ThrowIfNull(tier);
        var day = DateOnly.FromDateTime(at.UtcDateTime);
        return (tier.Length > 0 ? InForce(History(provider, model, currency, tier), day) : null)
            ?? InForce(History(provider, model, currency, ""), day);
    }

    /// <summary>
    /// The estimated cost of <paramref name="tokens"/> at the price in force at <paramref name="at"/> (of
    /// <paramref name="tier"/> where the catalog has it), following the provider's cached-input and batch rules; null
    /// when the model is unpriced in that currency at that time.
    /// </summary>
    public decimal? Estimate(ProviderKind provider, string model, Currency currency, DateTimeOffset at, TokenCounts tokens, bool batch = false, string tier = "")
    {
        var price = Find(provider, model, currency, at, tier);
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

    /// <summary>A model id without its date suffix: dated snapshots (gpt-4o-2024-08-06, claude-sonnet-4-20250514) bill as their family.</summary>
    public static string WithoutDateSuffix(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return DateSuffix().Replace(model, "");
    }

    // The factory takes the lookup as its argument: a lambda capturing this would be a new delegate on every call.
    private PriceEntry[] History(ProviderKind provider, string model, Currency currency, string tier) =>
        _resolved.GetOrAdd((PricingRules.PricingFamily(provider), model, currency, tier), static (key, byModel) =>
            byModel.GetValueOrDefault((key.Family, Normalize(key.Model), key.Currency, key.Tier))
            ?? byModel.GetValueOrDefault((key.Family, WithoutDateSuffix(Normalize(key.Model)), key.Currency, key.Tier))
            ?? [], _byModel);

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
    [GeneratedRegex(@"-(\d{4}-\d{2}-\d{2}|\d{8})$")]
    private static partial Regex DateSuffix();
}
