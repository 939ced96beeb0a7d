using Monitor.Core.Usage;

namespace Monitor.Providers;

/// <summary>
/// Base URLs as users paste them: provider docs and the Kilo Code / Roo Code settings show the inference base with its
/// version segment (<c>https://api.openai.com/v1</c>, <c>https://api.mistral.ai/v1</c>,
/// <c>https://openrouter.ai/api/v1</c>). Connectors call paths that start with the version (<c>/v1/...</c>), so the
/// segment, and any other suffix a kind's users paste, is taken off once here.
/// </summary>
public static class BaseUrls
{
    // Longest first: the first suffix that matches is removed (once).
    private static readonly Dictionary<ProviderKind, string[]> Suffixes = new()
    {
        [ProviderKind.Mistral] = ["/v1/admin", "/v1"],
    };

    private static readonly string[] Default = ["/v1"];

    public static string Normalise(ProviderKind kind, string baseUrl)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        var url = baseUrl.Trim().TrimEnd('/');
        foreach (var suffix in Suffixes.GetValueOrDefault(kind, Default))
        {
            if (url.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
                return url[..^suffix.Length];
        }

        return url;
    }
}
