using Microsoft.Extensions.DependencyInjection.Extensions;
using Monitor.Alerts;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Checks;

public static class CheckServiceCollectionExtensions
{
    /// <summary>
    /// <c>monitor check</c>: its evaluators (one line each), the alert raiser, digest and outbox.
    /// </summary>
    public static IServiceCollection AddMonitorChecks(this IServiceCollection services)
    {
        services.AddSingleton<CheckRunRepository>();
        services.AddMonitorAlerts();
        services.AddSingleton<BudgetSpendReader>();
        services.AddSingleton<CheckService>();
        services.AddSingleton<BudgetEvaluator>();
        services.AddSingleton<IAlertEvaluator>(sp => sp.GetRequiredService<BudgetEvaluator>());
        services.AddSingleton<Dashboard.IBudgetGaugeSource, BudgetGaugeSource>();
        services.AddSingleton<Dashboard.IDeprecationSource>(sp => ActivatorUtilities.CreateInstance<DeprecationDueSource>(sp, sp.GetServices<IAlertEvaluator>().OfType<DeprecationEvaluator>().Single()));
        services.AddSingleton<Dashboard.IKeyRotationSource>(sp => new KeyDueSource(sp.GetServices<IAlertEvaluator>().OfType<KeyRotationEvaluator>().Single()));
        services.AddSingleton<IAlertEvaluator, GuardRailEvaluator>();
        services.AddSingleton<IAlertEvaluator, StaleDataEvaluator>();
        services.AddSingleton<IAlertEvaluator, AnomalyEvaluator>();
        services.AddSingleton<IAlertEvaluator, DeprecationEvaluator>();
        services.AddSingleton<IAlertEvaluator, KeyRotationEvaluator>();
        services.AddSingleton<UsageSourceRepository>();
        services.AddSingleton<IAlertEvaluator, UnmeteredUsageEvaluator>();
        return services;
    }
}
