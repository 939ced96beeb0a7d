using Quartz;

namespace Monitor.Jobs;

/// <summary>Every few minutes: is any account's data stale? (Pull jobs cannot tell when they stop running.)</summary>
[DisallowConcurrentExecution]
public sealed class FreshnessJob(FreshnessCheck check) : IJob
{
    public const string Schedule = "0 */5 * * * ?";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await check.RunAsync(cancellationToken);
}
