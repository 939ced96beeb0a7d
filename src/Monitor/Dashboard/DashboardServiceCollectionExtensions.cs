using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Monitor.Hosting;

namespace Monitor.Dashboard;

public static class DashboardServiceCollectionExtensions
{
    /// <summary>
    /// Registers the dashboard. Expects <c>Database</c>, <see cref="TimeProvider"/> and <c>IOptions&lt;MonitorOptions&gt;</c>
    /// from the host. The pages are loaded and validated when the host starts: a bad file stops start-up with a
    /// message naming the file and the field.
    /// </summary>
    public static IServiceCollection AddMonitorDashboard(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MonitorOptions>>().Value.Dashboard;
            var contentRoot = sp.GetService<IHostEnvironment>()?.ContentRootPath ?? Environment.CurrentDirectory;
            return DashboardCatalog.Load(options.Directory, contentRoot);
        });
        services.AddSingleton<DashboardRepository>();
        services.AddSingleton<DashboardReader>();
        services.AddHostedService<DashboardCatalogCheck>();
        return services;
    }
}
