using Monitor.Core.Pricing;
using Monitor.Dashboard;
using Monitor.Proxy;

namespace Monitor.Hosting;

/// <summary>The serving host: scheduler, dashboard and metering proxy on the configured URLs, over the same core services as the CLI.</summary>
public static class MonitorWebHost
{
    public static WebApplication Build(IConfigurationRoot configuration, MonitorOptions options, Action<MonitorOptions>? adjust = null)
    {
        // Beyond loopback the dashboard requires a token or basic auth: without one, start-up stops naming the key.
        _ = DashboardAuth.Create(options.Dashboard, Environment.GetEnvironmentVariable);

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = Directory.GetCurrentDirectory() });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(configuration);
        builder.WebHost.UseUrls(options.Dashboard.Urls);
        builder.Services
            .AddMonitorCore(configuration, adjust)
            .AddMonitorScheduler(options)
            .AddMonitorDashboard()
            .AddMonitorProxy();
        var app = builder.Build();
        // A client token named but missing from the environment stops start-up, like the dashboard's secrets.
        _ = app.Services.GetRequiredService<ProxyRoutes>();
        app.MapMonitorProxy();
        app.MapDashboard();
        return app;
    }

    /// <summary>
    /// Migrates the database, records each account's counted usage source, and loads the price catalog (a bad override
    /// file stops start-up), then serves until stopped.
    /// </summary>
    public static async Task RunAsync(WebApplication app, CancellationToken ct)
    {
        await LedgerStartup.PrepareAsync(app.Services, ct);
        _ = app.Services.GetRequiredService<PriceCatalog>();
        await app.RunAsync();
    }
}
