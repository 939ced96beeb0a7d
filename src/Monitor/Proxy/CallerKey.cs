using Monitor.Core.Keys;

namespace Monitor.Proxy;

/// <summary>
/// The caller's provider key, read only to fingerprint it: <c>Authorization: Bearer</c> (OpenAI, Mistral, OpenRouter,
/// Kilo) or <c>x-api-key</c> (Anthropic). The key itself is forwarded untouched and never kept, logged or stored.
/// </summary>
public static class CallerKey
{
    /// <summary>The key's fingerprint (hash prefix + last 4), or "" when the request carries no key.</summary>
    public static string FingerprintOf(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var authorization = request.Headers.Authorization.ToString();
        var key = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization.AsSpan("Bearer ".Length).Trim()
            : request.Headers["x-api-key"].ToString().AsSpan().Trim();
        return key.IsEmpty ? "" : KeyFingerprint.Of(key.ToString());
    }
}
