using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Monitor.Hosting;
using Yarp.ReverseProxy.Forwarder;

namespace Monitor.Proxy;

/// <summary>
/// <c>/proxy/{account}/{**rest}</c>: forwards a call to the account's upstream with YARP and meters its usage. Per call:
/// the client token (when one is configured), the path check (<see cref="ProxyPath"/>), the body size limit, the spend
/// guard (a refusal is a 429 that never reaches the provider), then the forward, then the meter. The caller's key
/// authenticates the call at the provider; it is fingerprinted, never kept. Nothing here logs a key, a header or a body.
/// </summary>
public static partial class ProxyEndpoints
{
    public static WebApplication MapMonitorProxy(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Map(ProxyPath.Root + "/{account}/{**rest}", ForwardAsync);
        return app;
    }

    private static async Task ForwardAsync(
        HttpContext context, string account, ProxyRoutes routes, IHttpForwarder forwarder, ProxyInvoker invoker,
        ISpendGuard guard, UsageMeter meter, IOptions<MonitorOptions> options, TimeProvider clock, ILoggerFactory logs)
    {
        var request = context.Request;
        var rest = request.Path.Value is { } full && full.Length > ProxyPath.Root.Length + 1 + account.Length
            ? new PathString(full[(ProxyPath.Root.Length + 1 + account.Length)..])
            : PathString.Empty;
        var anthropic = ProxyErrors.IsAnthropic(rest);
        if (routes.Find(account) is not { } route)
        {
            await ProxyErrors.WriteAsync(context, StatusCodes.Status404NotFound, anthropic, "not_found_error", "unknown_account",
                "No proxied account by that name (Monitor:Providers:N:Name with Proxy:Enabled).");
            return;
        }

        if (route.ClientTokenDigest is { } digest
            && !CryptographicOperations.FixedTimeEquals(ProxyRoutes.Digest(request.Headers[ProxyRoutes.ClientTokenHeader].ToString()), digest))
        {
            await ProxyErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, anthropic, "authentication_error", "invalid_client_token",
                $"This proxy needs its client token in the {ProxyRoutes.ClientTokenHeader} header.");
            return;
        }

        if (ProxyPath.Resolve(route, context, out var problem) is not { } destination)
        {
            await ProxyErrors.WriteAsync(context, StatusCodes.Status400BadRequest, anthropic, "invalid_request_error", "invalid_path", problem!);
            return;
        }

        var limit = options.Value.Proxy.MaxRequestBodySize;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = limit;
        if (request.ContentLength > limit)
        {
            await ProxyErrors.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, anthropic, "invalid_request_error", "request_too_large",
                $"The request body is larger than the proxy allows (Monitor:Proxy:MaxRequestBodySize = {limit} bytes).");
            return;
        }

        var metered = HttpMethods.IsPost(request.Method);
        var body = default(RequestBody);
        byte[]? rented = null;
        try
        {
            var removeUsage = false;
            if (metered && IsJson(request.ContentType))
            {
                int length;
                try
                {
                    (rented, length) = await ReadBodyAsync(request, limit, context.RequestAborted);
                }
                catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
                {
                    await ProxyErrors.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, anthropic, "invalid_request_error", "request_too_large",
                        $"The request body is larger than the proxy allows (Monitor:Proxy:MaxRequestBodySize = {limit} bytes).");
                    return;
                }

                var json = rented.AsSpan(0, length);
                var changed = route.AsksStreamUsage ? RequestBody.AskForStreamUsage(json, out body) : null;
                if (!route.AsksStreamUsage)
                    body = RequestBody.Inspect(json);
                removeUsage = changed is not null;
                var forwarded = changed ?? rented;
                var forwardedLength = changed?.Length ?? length;
                request.Body = new MemoryStream(forwarded, 0, forwardedLength, writable: false);
                request.Headers.Remove("Transfer-Encoding");
                request.ContentLength = forwardedLength;
            }

            var fingerprint = CallerKey.FingerprintOf(request);
            if (metered && guard.Check(route.Account, fingerprint, body.Model) is { } refusal)
            {
                var logger = logs.CreateLogger(typeof(ProxyEndpoints).FullName!);
                LogRefused(logger, route.Account, fingerprint, refusal.Budget);
                await ProxyErrors.RefuseAsync(context, anthropic, refusal);
                return;
            }

            var call = new ProxyCall
            {
                Route = route,
                Destination = destination,
                KeyFingerprint = fingerprint,
                RequestedModel = body.Model,
                At = clock.GetUtcNow(),
                Metered = metered,
                RemoveRequestedUsage = removeUsage,
            };
            context.Features.Set(call);
            var config = new ForwarderRequestConfig { ActivityTimeout = options.Value.Proxy.ActivityTimeout };
            var error = await forwarder.SendAsync(context, route.Prefix, invoker.Invoker, config, ProxyTransformer.Instance);
            if (error != ForwarderError.None)
            {
                var logger = logs.CreateLogger(typeof(ProxyEndpoints).FullName!);
                LogForwardError(logger, route.Account, error, context.Response.StatusCode);
            }
            if (metered)
                meter.Record(call, context.Response.StatusCode);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static bool IsJson(string? contentType) =>
        contentType is null || contentType.Contains("json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads the whole body into a pooled buffer (Kestrel enforces the size limit while reading).</summary>
    private static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        var capacity = (int)Math.Min(request.ContentLength ?? 16 * 1024, Math.Min(limit, Array.MaxLength));
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 1024));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var grown = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(grown);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = grown;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), ct);
                if (read == 0)
                    return (buffer, length);
                length += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    [LoggerMessage(EventId = 1302, Level = LogLevel.Information, Message = "Proxy call to {Account} refused by budget {Budget} (key {KeyFingerprint})")]
    private static partial void LogRefused(ILogger logger, string account, string keyFingerprint, string budget);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning, Message = "Proxy call to {Account} failed: {Error}, answered {Status}")]
    private static partial void LogForwardError(ILogger logger, string account, ForwarderError error, int status);
}
