using Microsoft.Extensions.DependencyInjection.Extensions;
using Monitor.Alerts.Channels;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Alerts;

public static class AlertServiceCollectionExtensions
{
    /// <summary>
    /// The alert path: channels, composing, raising (the one de-duplicating step), digests, handling and the outbox.
    /// The channels' HttpClient logs nothing of its own: Slack and Teams URLs carry their secret in the path.
    /// </summary>
    public static IServiceCollection AddMonitorAlerts(this IServiceCollection services)
    {
        if (services.Any(s => s.ServiceType == typeof(AlertRaiser)))
            return services; // added by both the checks and the dashboard
        services.AddHttpClient(HttpChannelSender.ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan).RemoveAllLoggers();
        services.AddSingleton<AlertChannels>();
        services.AddSingleton<AlertLinks>();
        services.TryAddSingleton<ComponentHtmlRenderer>();
        services.AddSingleton<AlertMailComposer>();
        services.AddSingleton<ChannelComposer>();
        services.AddSingleton<HttpChannelSender>();
        services.AddSingleton<OutboxRepository>();
        services.AddSingleton<AlertRaiser>();
        services.AddSingleton<AlertHandling>();
        services.AddSingleton<DigestService>();
        services.AddSingleton<OutboxDispatcher>();
        return services;
    }
}
