using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace Monitor.Proxy;

/// <summary>
/// What changes between the caller and the upstream, and nothing more. Requests: every header is copied as sent (the
/// caller's key included), except the Host (the upstream's own is used), forwarding headers (X-Forwarded-*, Forwarded:
/// the monitor is the client the provider sees, and nothing a caller sends can steer it) and the monitor's client token;
/// metered calls ask for an identity encoding so usage can be read from the bytes as they pass. Responses: status,
/// headers and body as sent; the body is read through a <see cref="MeteringStream"/>.
/// </summary>
public sealed class ProxyTransformer : HttpTransformer
{
    public static ProxyTransformer Instance { get; } = new();

    private static readonly string[] Removed =
        [HeaderNames.Host, "Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Prefix", "X-Real-IP", ProxyRoutes.ClientTokenHeader];

    private ProxyTransformer()
    {
    }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(proxyRequest);
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        foreach (var name in Removed)
        {
            proxyRequest.Headers.Remove(name);
        }

        var call = httpContext.Features.GetRequiredFeature<ProxyCall>();
        if (call.Metered)
        {
            proxyRequest.Headers.AcceptEncoding.Clear();
            proxyRequest.Headers.AcceptEncoding.Add(new System.Net.Http.Headers.StringWithQualityHeaderValue("identity"));
        }

        proxyRequest.RequestUri = call.Destination;
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var forward = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        var call = httpContext.Features.GetRequiredFeature<ProxyCall>();
        if (forward && call.Metered && proxyResponse?.Content is { } content)
        {
            var mediaType = content.Headers.ContentType?.MediaType;
            var encoding = content.Headers.ContentEncoding.Count > 0 ? string.Join(",", content.Headers.ContentEncoding) : null;
            if (call.RemoveRequestedUsage)
                httpContext.Response.ContentLength = null; // the body may lose the usage chunk the caller did not ask for
            proxyResponse.Content = new MeteringContent(content, body => new MeteringStream(body, call.Usage, mediaType, encoding, call.RemoveRequestedUsage));
        }

        return forward;
    }
}
