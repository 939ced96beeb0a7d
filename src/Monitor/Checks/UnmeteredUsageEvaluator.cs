using Microsoft.Extensions.Options;
using Monitor.Core.Alerts;
using Monitor.Core.Usage;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Checks;

/// <summary>
/// Unmetered usage: for every account seen through both the provider's usage API and the metering proxy, the completed
/// UTC days of the last <c>Alerts:Unmetered:LookBackDays</c> whose provider-reported usage exceeds what the proxy
/// metered by the configured amount and share. One alert per account and day (the dedup key names both).
/// </summary>
public sealed class UnmeteredUsageEvaluator(UsageSourceRepository sources, IOptions<MonitorOptions> options) : IAlertEvaluator
{
    public string Name => "unmetered";

    public async Task<IReadOnlyList<AlertDecision>> EvaluateAsync(CheckContext context, CancellationToken ct)
    {
        var o = options.Value.Alerts.Unmetered;
        if (!o.Enabled)
            return [];
        var days = await sources.UnmeteredDaysAsync(context.AsOf.AddDays(-o.LookBackDays - 1), context.AsOf, context.AsOf, o.SettleDelay, o.ToRules(), ct);
        return [.. days.Where(d => d.Exceeds).Select(UnmeteredAlert.Compose)];
    }
}
