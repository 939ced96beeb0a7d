namespace Monitor.Proxy;

/// <summary>
/// Keeps the enforced budgets' running totals in step with the ledger while serving: once before the host takes
/// requests (so a restarted monitor refuses what it refused before), then every <see cref="SpendGuard.ReconcileEvery"/>.
/// A failed reconcile (a busy database) is logged; the totals go on from the calls metered meanwhile.
/// </summary>
public sealed partial class SpendGuardReconciler(SpendGuard guard, TimeProvider clock, ILogger<SpendGuardReconciler> log) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await guard.ReconcileAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SpendGuard.ReconcileEvery, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await guard.ReconcileAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogFailed(log, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(EventId = 1310, Level = LogLevel.Warning, Message = "Enforced budgets: reconciling with the ledger failed; the running totals go on")]
    private static partial void LogFailed(ILogger logger, Exception error);
}
