using Monitor.Alerts;
using Quartz;

namespace Monitor.Jobs;

/// <summary>Every minute: send what the outbox holds and is due, on every channel: the one scheduled sender (the check only queues).</summary>
[DisallowConcurrentExecution]
public sealed class OutboxJob(OutboxDispatcher outbox) : IJob
{
    public const string Schedule = "30 * * * * ?";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await outbox.SendDueAsync(cancellationToken);
}
