using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace Monitor.Proxy;

/// <summary>
/// Turns <c>/proxy/{account}/REST?QUERY</c> into <c>{upstream}/REST?QUERY</c>, and nothing else: the scheme, host and
/// port always come from the account's configured upstream. A request whose target could mean anything other than a
/// plain path below that upstream is refused (400): an absolute-form target, dot segments (plain or percent-encoded),
/// encoded slashes or backslashes, empty segments (<c>//evil.example</c>), control characters. Headers never choose the
/// destination (Host, X-Forwarded-*, Forwarded are not read).
/// </summary>
public static class ProxyPath
{
    public const string Root = "/proxy";

    /// <summary>The destination of a request, or null with the reason it is refused.</summary>
    public static Uri? Resolve(ProxyRoute route, HttpContext context, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;

        // The request line as the client sent it, before Kestrel decoded and normalised it.
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "";
        if (!raw.StartsWith('/'))
            return Refuse("the request target must be a path (origin form), not an absolute URI", out problem);
        var rawPath = raw.AsSpan();
        var queryAt = rawPath.IndexOf('?');
        if (queryAt >= 0)
            rawPath = rawPath[..queryAt];
        if (rawPath.Contains("%2e", StringComparison.OrdinalIgnoreCase) || rawPath.Contains("%2f", StringComparison.OrdinalIgnoreCase)
            || rawPath.Contains("%5c", StringComparison.OrdinalIgnoreCase) || rawPath.Contains('\\'))
            return Refuse("encoded dots, slashes or backslashes are not allowed in a proxied path", out problem);

        var prefix = Root + "/" + route.Account;
        if (!request.Path.StartsWithSegments(prefix, StringComparison.Ordinal, out var rest))
            return Refuse("the path does not belong to this account", out problem);
        var path = rest.Value ?? "";
        foreach (var segment in path.Split('/').Skip(1))
        {
            if (segment.Length == 0 || segment is "." or "..")
                return Refuse("empty or dot segments are not allowed in a proxied path", out problem);
            foreach (var c in segment)
            {
                if (char.IsControl(c) || c is '%' or '\\')
                    return Refuse("control characters, '%' and '\\' are not allowed in a proxied path", out problem);
            }
        }

        var destination = RequestUtilities.MakeDestinationAddress(route.Prefix, rest, request.QueryString);
        // Belt and braces: whatever the path held, the destination is the upstream's scheme, host, port and base path.
        var basePath = route.Upstream.AbsolutePath.TrimEnd('/');
        if (destination.Scheme != route.Upstream.Scheme
            || !string.Equals(destination.Authority, route.Upstream.Authority, StringComparison.OrdinalIgnoreCase)
            || !destination.AbsolutePath.StartsWith(basePath, StringComparison.Ordinal)
            || !string.IsNullOrEmpty(destination.UserInfo))
            return Refuse("the path does not stay below the account's upstream", out problem);

        problem = null;
        return destination;
    }

    private static Uri? Refuse(string why, out string? problem)
    {
        problem = why;
        return null;
    }
}
