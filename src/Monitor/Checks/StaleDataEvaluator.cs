using Microsoft.Extensions.Options;
using Monitor.Core.Alerts;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Checks;

/// <summary>
/// Stale data: an enabled account without a successful pull for <c>Pull:StaleAfter</c>. A check has to notice this,
/// because a pull job that stopped running cannot report itself.
/// </summary>
public sealed class StaleDataEvaluator(PullRunRepository runs, IOptions<MonitorOptions> options) : IAlertEvaluator
{
    public string Name => "stale-data";

    public async Task<IReadOnlyList<AlertDecision>> EvaluateAsync(CheckContext context, CancellationToken ct)
    {
        var states = await runs.StatesAsync(options.Value.Providers.Where(p => p.Pulled).Select(p => p.Name), ct);
        return [.. StaleData.Evaluate(states, context.AsOf, options.Value.Pull.StaleAfter)];
    }
}
