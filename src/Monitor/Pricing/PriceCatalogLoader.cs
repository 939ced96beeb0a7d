using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Hosting;

namespace Monitor.Pricing;

/// <summary>
/// Builds the price catalog from the shipped data file (embedded) and the user's override file, whose entries
/// win over shipped ones for the same provider, model, currency and date. Errors name the file, entry and field.
/// </summary>
public static class PriceCatalogLoader
{
    private const string ShippedResource = "Monitor.price-catalog.json";

    public static PriceCatalog Load(IOptions<MonitorOptions> options) => Load(options.Value.Pricing.OverrideFile);

    public static PriceCatalog Load(string? overrideFile)
    {
        using var shipped = typeof(PriceCatalogLoader).Assembly.GetManifestResourceStream(ShippedResource)
            ?? throw new InvalidOperationException($"{ShippedResource} is missing from the build");
        var entries = Parse(shipped, "price-catalog.json (shipped)");
        if (!string.IsNullOrWhiteSpace(overrideFile))
        {
            if (!File.Exists(overrideFile))
                throw new BadInputException($"Monitor:Pricing:OverrideFile: '{overrideFile}' does not exist");
            using var user = File.OpenRead(overrideFile);
            entries.AddRange(Parse(user, overrideFile));
        }

        return new PriceCatalog(entries);
    }

    public static List<PriceEntry> Parse(Stream json, string fileName)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new BadInputException($"{fileName}: line {e.LineNumber + 1}: not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            if (!document.RootElement.TryGetProperty("prices", out var prices) || prices.ValueKind != JsonValueKind.Array)
                throw new BadInputException($"{fileName}: prices: expected an array of price entries");

            var result = new List<PriceEntry>();
            var index = 0;
            foreach (var item in prices.EnumerateArray())
            {
                result.Add(ParseEntry(item, $"{fileName}: prices[{index}]"));
                index++;
            }

            return result;
        }
    }

    private static PriceEntry ParseEntry(JsonElement e, string at)
    {
        var providerText = Text(e, "provider", at);
        if (!ProviderKinds.TryParse(providerText, out var provider))
            throw new BadInputException($"{at}.provider: '{providerText}' is not a provider kind");
        var currencyText = Text(e, "currency", at);
        if (!Currencies.TryParse(currencyText, out var currency))
            throw new BadInputException($"{at}.currency: '{currencyText}' is not USD or EUR");
        var dateText = Text(e, "effective_from", at);
        if (!DateOnly.TryParseExact(dateText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from))
            throw new BadInputException($"{at}.effective_from: '{dateText}' is not a date (yyyy-MM-dd)");

        var aliases = new List<string>();
        if (e.TryGetProperty("aliases", out var list))
        {
            if (list.ValueKind != JsonValueKind.Array)
                throw new BadInputException($"{at}.aliases: expected an array of model names");
            aliases.AddRange(list.EnumerateArray().Select(a => a.GetString() ?? ""));
        }

        return new PriceEntry
        {
            Provider = provider,
            Model = Text(e, "model", at),
            Aliases = aliases,
            Currency = currency,
            EffectiveFrom = from,
            InputPerMillion = Price(e, "input", at) ?? throw new BadInputException($"{at}.input: is required"),
            OutputPerMillion = Price(e, "output", at),
            CachedInputPerMillion = Price(e, "cached_input", at),
            CacheWritePerMillion = Price(e, "cache_write", at),
            Tier = Tier(e, at),
        };
    }

    /// <summary>The optional <c>tier</c>: "" (standard) when absent; a lower-case word (<c>priority</c>, <c>long_context</c>) otherwise.</summary>
    private static string Tier(JsonElement e, string at)
    {
        if (!e.TryGetProperty("tier", out var v) || v.ValueKind == JsonValueKind.Null)
            return "";
        var tier = v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
        return tier.Length > 0 && tier.All(c => c is (>= 'a' and <= 'z') or '_' or '.')
            ? tier
            : throw new BadInputException($"{at}.tier: expected a lower-case tier name such as priority or long_context");
    }

    private static string Text(JsonElement e, string name, string at) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(v.GetString())
            ? v.GetString()!
            : throw new BadInputException($"{at}.{name}: is required (a string)");

    private static decimal? Price(JsonElement e, string name, string at)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDecimal(out var price) || price < 0)
            throw new BadInputException($"{at}.{name}: expected a non-negative number (per 1M tokens)");
        return price;
    }
}
