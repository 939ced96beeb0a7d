using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Dashboard;

public static class DashboardServiceCollectionExtensions
{
    /// <summary>
    /// Registers the dashboard. Expects <c>Database</c>, <see cref="TimeProvider"/> and <c>IOptions&lt;MonitorOptions&gt;</c>
    /// from the host. The pages are loaded and validated when the host starts: a bad file stops start-up with a
    /// message naming the file and the field. Budgets, deprecations and keys due come from the
    /// <see cref="IBudgetGaugeSource"/>, <see cref="IDeprecationSource"/> and <see cref="IKeyRotationSource"/>
    /// registered elsewhere (none: the page says so).
    /// </summary>
    public static IServiceCollection AddMonitorDashboard(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MonitorOptions>>().Value.Dashboard;
            var contentRoot = sp.GetService<IHostEnvironment>()?.ContentRootPath ?? Environment.CurrentDirectory;
            return DashboardCatalog.Load(options.Directory, contentRoot);
        });
        services.AddSingleton(sp => DashboardAuth.Create(
            sp.GetRequiredService<IOptions<MonitorOptions>>().Value.Dashboard, Environment.GetEnvironmentVariable));
        services.TryAddSingleton<AlertRepository>();
        services.TryAddSingleton<SchedulerHealth>();
        services.TryAddSingleton<ComponentHtmlRenderer>();
        services.AddSingleton<LedgerReadCache>();
        services.AddSingleton<DashboardRepository>();
        services.AddSingleton<DashboardReader>();
        services.AddSingleton<DashboardMetrics>();
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "monitor-antiforgery";
            o.FormFieldName = "__token";
        });
        services.AddHostedService<DashboardCatalogCheck>();
        return services;
    }
}
