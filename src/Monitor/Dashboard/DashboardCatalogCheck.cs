using Microsoft.Extensions.Hosting;

namespace Monitor.Dashboard;

/// <summary>Builds the <see cref="DashboardCatalog"/> at start, so a bad page file stops the host before it serves.</summary>
internal sealed class DashboardCatalogCheck(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetRequiredService<DashboardCatalog>();
        _ = services.GetRequiredService<DashboardAuth>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
