using System.Globalization;
using System.Text.Json;
using Monitor.Core.Deprecations;
using Monitor.Core.Usage;

namespace Monitor.Deprecations;

/// <summary>
/// Builds the lifecycle catalog from the shipped data file (embedded) and the user's file
/// (<c>Monitor:Deprecations:LifecycleFile</c>, same shape), whose entries win. Errors name the file, entry and field.
/// </summary>
public static class LifecycleCatalogLoader
{
    private const string ShippedResource = "Monitor.model-lifecycle.json";

    public static LifecycleCatalog Load(string? userFile)
    {
        using var shipped = typeof(LifecycleCatalogLoader).Assembly.GetManifestResourceStream(ShippedResource)
            ?? throw new InvalidOperationException($"{ShippedResource} is missing from the build");
        var entries = Parse(shipped, "model-lifecycle.json (shipped)");
        if (string.IsNullOrWhiteSpace(userFile))
            return new LifecycleCatalog(entries, []);
        if (!File.Exists(userFile))
            throw new BadInputException($"Monitor:Deprecations:LifecycleFile: '{userFile}' does not exist");
        using var user = File.OpenRead(userFile);
        return new LifecycleCatalog(entries, Parse(user, userFile));
    }

    public static List<LifecycleEntry> Parse(Stream json, string fileName)
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
            if (!document.RootElement.TryGetProperty("models", out var models) || models.ValueKind != JsonValueKind.Array)
                throw new BadInputException($"{fileName}: models: expected an array of lifecycle entries");
            return [.. models.EnumerateArray().Select((item, i) => Entry(item, $"{fileName}: models[{i}]"))];
        }
    }

    private static LifecycleEntry Entry(JsonElement e, string at)
    {
        if (e.ValueKind != JsonValueKind.Object)
            throw new BadInputException($"{at}: expected an object");
        var providerText = Text(e, "provider", at)!;
        if (!ProviderKinds.TryParse(providerText, out var provider))
            throw new BadInputException($"{at}.provider: '{providerText}' is not a provider kind");
        var aliases = new List<string>();
        if (e.TryGetProperty("aliases", out var list))
        {
            if (list.ValueKind != JsonValueKind.Array || list.EnumerateArray().Any(a => a.ValueKind != JsonValueKind.String))
                throw new BadInputException($"{at}.aliases: expected an array of model names");
            aliases.AddRange(list.EnumerateArray().Select(a => a.GetString()!));
        }

        var deprecated = Text(e, "deprecated_on", at, required: false);
        DateOnly? deprecatedOn = null;
        if (deprecated is not null)
        {
            deprecatedOn = DateOnly.TryParseExact(deprecated, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                ? d
                : throw new BadInputException($"{at}.deprecated_on: '{deprecated}' is not a date (yyyy-MM-dd)");
        }

        return new LifecycleEntry
        {
            Provider = provider,
            Model = Text(e, "model", at)!,
            Aliases = aliases,
            DeprecatedOn = deprecatedOn,
            RetiresAt = Time(Text(e, "retires_on", at)!, $"{at}.retires_on"),
            Replacement = Text(e, "replacement", at, required: false),
            Source = Text(e, "source", at)!,
        };
    }

    /// <summary>A date is 00:00 UTC of that day; a date-time must carry its offset (Z).</summary>
    private static DateTimeOffset Time(string text, string at)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return new DateTimeOffset(day, TimeOnly.MinValue, TimeSpan.Zero);
        if (text.Length > 10 && (text.EndsWith('Z') || text[^6] is '+' or '-')
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t))
            return t.ToUniversalTime();
        throw new BadInputException($"{at}: '{text}' is not a date (yyyy-MM-dd) or a time with offset (2026-08-31T12:00:00Z)");
    }

    private static string? Text(JsonElement e, string name, string at, bool required = true)
    {
        if (e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(v.GetString()))
            return v.GetString()!.Trim();
        if (!required && (!e.TryGetProperty(name, out v) || v.ValueKind == JsonValueKind.Null))
            return null;
        throw new BadInputException(required ? $"{at}.{name}: is required (a string)" : $"{at}.{name}: expected a string");
    }
}
