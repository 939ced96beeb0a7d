using Quartz;

namespace Monitor.Jobs;

/// <summary>
/// Logs (at Debug, category <c>Monitor.Jobs.JobRunLog</c>) each job this node runs with its trigger's scheduled fire
/// time: on a cluster, the logs of all nodes together show each firing exactly once, and which node took a dead node's
/// work over (a recovering run).
/// </summary>
public sealed partial class JobRunLog(ILogger<JobRunLog> log) : IJobListener
{
    public string Name => nameof(JobRunLog);

    public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        if (log.IsEnabled(LogLevel.Debug))
        {
            var scheduled = context.ScheduledFireTimeUtc?.ToUnixTimeMilliseconds() ?? 0;
            Running(context.JobDetail.Key.Name, scheduled, context.Scheduler.SchedulerInstanceId, context.Recovering);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default) =>
        ValueTask.CompletedTask;

    [LoggerMessage(Level = LogLevel.Debug, Message = "job run: {Job} scheduled {ScheduledMs} on node {Node} recovering {Recovering}")]
    private partial void Running(string job, long scheduledMs, string node, bool recovering);
}
