using Monitor.Storage;

namespace Monitor.Checks;

public static class CheckServiceCollectionExtensions
{
    /// <summary>
    /// The evaluators of <c>monitor check</c>, one line each, in the order their alerts should be considered.
    /// </summary>
    public static IServiceCollection AddMonitorChecks(this IServiceCollection services)
    {
        services.AddSingleton<CheckRunRepository>();
        services.AddSingleton<IAlertEvaluator, StaleDataEvaluator>();
        services.AddSingleton<IAlertEvaluator, DeprecationEvaluator>();
        services.AddSingleton<IAlertEvaluator, KeyRotationEvaluator>();
        return services;
    }
}
