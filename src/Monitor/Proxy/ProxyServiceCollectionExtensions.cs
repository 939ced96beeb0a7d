using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Monitor.Storage;

namespace Monitor.Proxy;

public static class ProxyServiceCollectionExtensions
{
    /// <summary>
    /// The metering proxy: the configured routes, YARP's forwarder over one <see cref="HttpMessageInvoker"/> set up as
    /// YARP recommends for a proxy (no redirects, no decompression, no cookies, no system proxy, no retries: the caller
    /// owns its retries), the meter and its ledger writer. A no-op spend guard unless enforced budgets registered one.
    /// </summary>
    public static IServiceCollection AddMonitorProxy(this IServiceCollection services)
    {
        services.AddHttpForwarder();
        services.AddSingleton<ProxyRoutes>();
        services.TryAddSingleton<ISpendGuard, NoSpendGuard>();
        services.AddSingleton<UsageMeter>();
        services.AddSingleton<ProxyUsageRepository>();
        services.AddSingleton<ProxyLedgerWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<ProxyLedgerWriter>());
        services.AddSingleton(_ => new ProxyInvoker(CreateInvoker()));
        return services;
    }

    /// <summary>The handler YARP's direct-forwarding sample builds; the trace context is forwarded only as the caller sent it.</summary>
    public static HttpMessageInvoker CreateInvoker() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator(),
        ConnectTimeout = TimeSpan.FromSeconds(15),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
    });
}
