using Monitor.Storage;

namespace Monitor.Proxy;

public static class SpendGuardServiceCollectionExtensions
{
    /// <summary>
    /// Enforced budgets at the proxy: the <see cref="SpendGuard"/> as the <see cref="ISpendGuard"/> the proxy asks (it
    /// replaces the proxy's no-op), and its reconcile loop, which runs only where the host runs hosted services (serve).
    /// </summary>
    public static IServiceCollection AddMonitorSpendGuard(this IServiceCollection services)
    {
        services.AddSingleton<SpendGuardRepository>();
        services.AddSingleton<SharedSpendRepository>();
        services.AddSingleton<SpendGuard>();
        services.AddSingleton<ISpendGuard>(sp => sp.GetRequiredService<SpendGuard>());
        services.AddHostedService<SpendGuardReconciler>();
        return services;
    }
}
