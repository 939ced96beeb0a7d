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
        // Kilo's app routes (/api/profile/...) sit at the root of the app host; users paste the inference base the
        // extension shows: https://api.kilo.ai/api/openrouter/ (alias /api/gateway/), older kilocode.ai the same.
        [ProviderKind.Kilo] = ["/api/openrouter/v1", "/api/gateway/v1", "/api/openrouter", "/api/gateway", "/api", "/v1"],
    };

    private static readonly string[] Default = ["/v1"];

    // Hosts whose API lives below a path the bare host does not show: https://openrouter.ai serves its API at /api/v1.
    private static readonly Dictionary<(ProviderKind Kind, string Host), string> Roots = new()
    {
        [(ProviderKind.OpenRouter, "openrouter.ai")] = "/api",
        [(ProviderKind.OpenRouter, "www.openrouter.ai")] = "/api",
    };

    public static string Normalise(ProviderKind kind, string baseUrl)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        var url = baseUrl.Trim().TrimEnd('/');
        foreach (var suffix in Suffixes.GetValueOrDefault(kind, Default))
        {
            if (url.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                url = url[..^suffix.Length];
                break;
            }
        }

        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.AbsolutePath is "" or "/"
               && Roots.TryGetValue((kind, uri.Host.ToLowerInvariant()), out var root)
            ? url + root
            : url;
    }
}
