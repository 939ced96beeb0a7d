using Monitor.Checks;
using Quartz;

namespace Monitor.Jobs;

/// <summary>The scheduled check (Alerts:CheckSchedule): every evaluator, then the outbox. Never two at once.</summary>
[DisallowConcurrentExecution]
public sealed class CheckJob(CheckService checks) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await checks.RunAsync(null, send: true, cancellationToken);
}
