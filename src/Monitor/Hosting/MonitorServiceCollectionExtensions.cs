using Microsoft.Extensions.Options;
using Monitor.Checks;
using Monitor.Core.Pricing;
using Monitor.Jobs;
using Monitor.Ledger;
using Monitor.Pricing;
using Monitor.Providers;
using Monitor.Proxy;
using Monitor.Storage;
using Quartz;

namespace Monitor.Hosting;

public static class MonitorServiceCollectionExtensions
{
    /// <summary>Options, clock, storage, prices, ledger import/export, connectors and pulls: what every verb needs.</summary>
    /// <param name="adjust">Changes a verb makes after binding (the demo swaps in its own accounts and ledger).</param>
    public static IServiceCollection AddMonitorCore(this IServiceCollection services, IConfiguration configuration, Action<MonitorOptions>? adjust = null)
    {
        var builder = services.AddOptions<MonitorOptions>().Bind(configuration.GetSection(MonitorOptions.Section));
        if (adjust is not null)
            builder.PostConfigure(adjust);
        builder.ValidateOnStart();
        services.AddSingleton<IValidateOptions<MonitorOptions>, MonitorOptionsValidator>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<Database>();
        services.AddSingleton<MigrationRunner>();
        services.AddSingleton(sp => PriceCatalogLoader.Load(sp.GetRequiredService<IOptions<MonitorOptions>>()));
        services.AddSingleton<UsageImporter>();
        services.AddSingleton<LedgerExporter>();
        services.AddSingleton<PullRunRepository>();
        services.AddSingleton<PullService>();
        services.AddSingleton<AlertRepository>();
        services.AddMonitorChecks();
        services.AddMonitorProviders();
        services.AddMonitorSpendGuard();
        return services;
    }

    /// <summary>The Quartz scheduler: one pull job per enabled account on its cron schedule, the check and the outbox (RAM store, one node).</summary>
    public static IServiceCollection AddMonitorScheduler(this IServiceCollection services, MonitorOptions options)
    {
        services.AddQuartz(q =>
        {
            foreach (var account in options.Providers.Where(p => p.Pulled))
            {
                q.ScheduleJob<PullJob>(
                    t => t.WithIdentity($"pull:{account.Name}:cron").WithCronSchedule(account.Schedule),
                    j => j.WithIdentity($"pull:{account.Name}").UsingJobData(PullJob.AccountKey, account.Name));
            }

            q.ScheduleJob<CheckJob>(t => t.WithIdentity("check:cron").WithCronSchedule(options.Alerts.CheckSchedule), j => j.WithIdentity("check"));
            q.ScheduleJob<OutboxJob>(t => t.WithIdentity("outbox:cron").WithCronSchedule(OutboxJob.Schedule), j => j.WithIdentity("outbox"));
        });
        services.AddQuartzHostedService(q => q.WaitForJobsToComplete = true);
        return services;
    }
}
