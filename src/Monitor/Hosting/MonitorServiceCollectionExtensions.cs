using Microsoft.Extensions.Options;
using Monitor.Checks;
using Monitor.Core.Pricing;
using Monitor.Jobs;
using Monitor.Ledger;
using Monitor.Ledger.Focus;
using Monitor.Pricing;
using Monitor.Providers;
using Monitor.Proxy;
using Monitor.Storage;
using Quartz;

namespace Monitor.Hosting;

public static class MonitorServiceCollectionExtensions
{
    public const string SchedulerName = "monitor";

    /// <summary>Quartz tables in the shared PostgreSQL database (migration 0018).</summary>
    public const string QuartzTablePrefix = "qrtz_";

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
        services.AddSingleton<FocusExporter>();
        services.AddSingleton<PullRunRepository>();
        services.AddSingleton<PullService>();
        services.AddSingleton<AlertRepository>();
        services.AddMonitorChecks();
        services.AddMonitorProviders();
        services.AddMonitorSpendGuard();
        return services;
    }

    /// <summary>
    /// The Quartz scheduler: one pull job per enabled account on its cron schedule, the check and the outbox. On SQLite
    /// the triggers live in memory (one node); on PostgreSQL in Quartz's tables of the shared database (created by the
    /// migrations), clustered, so each trigger fires on exactly one node and a dead node's triggers are recovered by
    /// the others after the check-in threshold.
    /// </summary>
    public static IServiceCollection AddMonitorScheduler(this IServiceCollection services, MonitorOptions options)
    {
        services.AddQuartz(q =>
        {
            if (options.Scheduler.IsClustered(options.Storage))
            {
                q.ConfigureScheduler(s =>
                {
                    s.InstanceName = SchedulerName;
                    if (string.Equals(options.Scheduler.InstanceId, "AUTO", StringComparison.OrdinalIgnoreCase))
                        s.GenerateInstanceId = true;
                    else
                        s.InstanceId = options.Scheduler.InstanceId;
                });
                q.UsePersistentStore(store =>
                {
                    store.UsePostgres(options.Storage.Postgres.ConnectionString());
                    store.UseClustering(c =>
                    {
                        c.CheckinInterval = options.Scheduler.CheckinInterval;
                        c.CheckinMisfireThreshold = options.Scheduler.CheckinMisfireThreshold;
                    });
                    store.ConfigureStore(s =>
                    {
                        s.TablePrefix = QuartzTablePrefix; // the tables of migration 0018, never created by Quartz itself
                        s.StoreJobDataAsStrings = true;    // the only job data is an account name
                    });
                });
            }

            q.AddJobListener<JobRunLog>();

            // Every job is safe to run again (a pull replaces its window, the check de-duplicates, the outbox leases):
            // a job a dead node was running is run again by another node (RequestRecovery).
            foreach (var account in options.Providers.Where(p => p.Pulled))
            {
                q.ScheduleJob<PullJob>(
                    t => t.WithIdentity($"pull:{account.Name}:cron").WithCronSchedule(account.Schedule),
                    j => j.WithIdentity($"pull:{account.Name}").UsingJobData(PullJob.AccountKey, account.Name).RequestRecovery());
            }

            q.ScheduleJob<CheckJob>(t => t.WithIdentity("check:cron").WithCronSchedule(options.Alerts.CheckSchedule), j => j.WithIdentity("check").RequestRecovery());
            q.ScheduleJob<OutboxJob>(t => t.WithIdentity("outbox:cron").WithCronSchedule(OutboxJob.Schedule), j => j.WithIdentity("outbox").RequestRecovery());
        });
        services.AddQuartzHostedService(q => q.WaitForJobsToComplete = true);
        return services;
    }
}
