using Microsoft.Extensions.Options;
using Monitor.Hosting;
using Quartz;

namespace Monitor.Jobs;

/// <summary>The scheduled pull of one account (its name is the job's key). Never two at once for the same account.</summary>
[DisallowConcurrentExecution]
public sealed class PullJob(PullService pulls, IOptions<MonitorOptions> options) : IJob
{
    public const string AccountKey = "account";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var name = context.MergedJobDataMap.GetString(AccountKey);
        var account = options.Value.Providers.FirstOrDefault(p => p.Name == name);
        if (account is null || !account.Pulled)
            return;
        // Failures are recorded in pull_runs by the service; the job itself does not throw them at Quartz.
        await pulls.PullAsync(account, null, null, null, cancellationToken);
    }
}
