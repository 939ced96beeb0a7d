using Monitor.Checks;
using Quartz;

namespace Monitor.Jobs;

/// <summary>
/// The scheduled check (Alerts:CheckSchedule): every evaluator, the alerts stored and their mail queued, never sent
/// here: the outbox job (every minute) is the only scheduled sender. Never two at once.
/// </summary>
[DisallowConcurrentExecution]
public sealed class CheckJob(CheckService checks) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await checks.RunAsync(null, send: false, cancellationToken);
}
