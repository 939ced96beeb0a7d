using Microsoft.Extensions.Options;
using Monitor.Core.Alerts;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Jobs;

/// <summary>Raises a stale-data alert for every enabled account without a successful pull for <c>Pull:StaleAfter</c>.</summary>
public sealed partial class FreshnessCheck(
    PullRunRepository runs, AlertRepository alerts, IOptions<MonitorOptions> options, TimeProvider clock, ILogger<FreshnessCheck> log)
{
    /// <summary>Returns the number of new alerts.</summary>
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var states = await runs.StatesAsync(options.Value.Providers.Where(p => p.Enabled).Select(p => p.Name), ct);
        var decisions = StaleData.Evaluate(states, now, options.Value.Pull.StaleAfter).ToList();
        var raised = await alerts.RaiseAsync(decisions, now, ct);
        foreach (var d in decisions)
            LogStale(log, d.Account ?? "", d.Title);
        return raised;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stale data for {Account}: {Title}")]
    private static partial void LogStale(ILogger logger, string account, string title);
}
