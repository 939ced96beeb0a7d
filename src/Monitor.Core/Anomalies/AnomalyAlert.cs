using System.Globalization;
using Monitor.Core.Alerts;

namespace Monitor.Core.Anomalies;

/// <summary>
/// Turns one incident on one key into one alert: the signals, baseline against observed, the money at stake (extra
/// so far and per day if it continues), top models and hours, a runbook and a chart. The dedup key names the key and
/// the incident's first step, so re-checks and replays never raise it twice.
/// </summary>
public static class AnomalyAlert
{
    public static AlertDecision Compose(
        AnomalyScope scope, AnomalyIncident incident, TimeSpan step, IReadOnlyList<KeyHour> recent,
        IReadOnlyList<(string Model, decimal Cost)> topModels)
    {
        var start = At(incident.Start, step);
        var perDay = incident.ExtraPerDay(TimeSpan.FromDays(1) / step);
        var who = scope.Who;
        var unit = step >= TimeSpan.FromDays(1) ? "day" : "hour";
        var signals = Describe(incident.Signals);
        var noted = incident.NotedOnly;
        var critical = !noted && incident.PeakScore >= 0.9 || (incident.Signals & (AnomalySignals.QuietKey | AnomalySignals.RotatedKey | AnomalySignals.UnknownKey)) != 0;
        var hours = recent.Where(h => h.Flagged && h.Step >= incident.Start && h.Step <= incident.End)
            .OrderByDescending(h => h.Observed).Take(5)
            .Select(h => new AlertFact(At(h.Step, step).ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture), Money(h.Observed, scope.Currency)))
            .ToList();
        return new AlertDecision
        {
            Kind = AlertKind.Anomaly,
            // A likely first quarter-end job is a digest line; if it goes on or grows it alerts under its own key.
            Severity = noted ? AlertSeverity.Info : critical ? AlertSeverity.Critical : AlertSeverity.Warning,
            Account = scope.Account,
            Workspace = scope.Workspace.Length == 0 || scope.Level == AnomalyLevel.Account ? null : scope.Workspace,
            KeyId = scope.KeyId.Length == 0 || scope.Level != AnomalyLevel.Key ? null : scope.KeyId,
            Title = $"[Anomaly] {scope.Account} {who}: {Money(incident.PeakObserved, scope.Currency)}/{unit} against {Money(incident.PeakBaseline, scope.Currency)} usual, {Money(incident.Extra, scope.Currency)} extra so far",
            Detail = $"Since {start.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}, {who} of {scope.Account} shows {signals}. "
                + $"If it continues it costs about {Money(perDay, scope.Currency)} extra per day.",
            DedupKey = DedupKey(scope, start) + (noted ? ":noted" : ""),
            OccurredAt = start,
            Evidence = new AlertEvidence
            {
                Facts =
                [
                    new("Signals", signals),
                    new("Score", incident.PeakScore.ToString("0.00", CultureInfo.InvariantCulture)),
                    new("Started", start.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)),
                    new($"Observed (peak {unit})", Money(incident.PeakObserved, scope.Currency)),
                    new($"Baseline (same {unit})", Money(incident.PeakBaseline, scope.Currency)),
                    new("Extra spend so far", Money(incident.Extra, scope.Currency)),
                    new("Extra per day if it continues", Money(perDay, scope.Currency)),
                ],
                Amounts =
                [
                    new("observed_peak", Amount(incident.PeakObserved), scope.Currency),
                    new("baseline_peak", Amount(incident.PeakBaseline), scope.Currency),
                    new("extra_so_far", Amount(incident.Extra), scope.Currency),
                    new("extra_per_day", Amount(perDay), scope.Currency),
                ],
                Breakdowns =
                [
                    new("Top models", [.. topModels.Select(m => new AlertFact(m.Model, Money((double)m.Cost, scope.Currency)))]),
                    new("Top hours", hours),
                ],
                Runbook = Runbook(scope.Level),
                Chart = new AlertChart
                {
                    Title = $"{who}: observed vs baseline",
                    Unit = scope.Currency,
                    Series =
                    [
                        new("observed", [.. recent.Select(h => new AlertChartPoint(At(h.Step, step), h.Observed))]),
                        new("baseline", [.. recent.Select(h => new AlertChartPoint(At(h.Step, step), h.Baseline))], AlertChartStyle.Dashed),
                    ],
                },
            },
        };
    }

    /// <summary>Stable for one incident: the series and its first step (key-level keys keep their round-one form).</summary>
    public static string DedupKey(AnomalyScope scope, DateTimeOffset start)
    {
        var at = start.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return scope.Level switch
        {
            AnomalyLevel.Key => $"anomaly:{scope.Account}:{scope.Workspace}:{scope.KeyId}:{at}",
            AnomalyLevel.Workspace => $"anomaly-workspace:{scope.Account}:{scope.Workspace}:{at}",
            _ => $"anomaly-account:{scope.Account}:{at}",
        };
    }

    private static List<string> Runbook(AnomalyLevel level)
    {
        List<string> steps =
        [
            "Rotate the key: create a new one and move the legitimate callers to it.",
            "Revoke the old key at the provider as soon as the callers have moved.",
            "Check where it leaked: repositories, CI logs, client-side code, shared notebooks.",
            "Set a spend cap (monthly limit) at the provider so a leak cannot run unbounded.",
            "If this was planned activity, mute the alert until its end (monitor alerts mute ID --until TIME).",
        ];
        if (level != AnomalyLevel.Key)
            steps.Insert(0, "No single key's series explains it: find the keys carrying the extra (the top models and the dashboard's keys view for these hours).");
        return steps;
    }

    public static string Describe(AnomalySignals signals)
    {
        var parts = new List<string>();
        if ((signals & AnomalySignals.Spike) != 0) parts.Add("a spike above its seasonal baseline");
        if ((signals & AnomalySignals.Shift) != 0) parts.Add("a sustained excess");
        if ((signals & AnomalySignals.Ramp) != 0) parts.Add("a slow ramp over days");
        if ((signals & AnomalySignals.UnusualHour) != 0) parts.Add("activity at hours it is normally silent");
        if ((signals & AnomalySignals.Dormant) != 0) parts.Add("use after a silence of a week or more");
        if ((signals & AnomalySignals.FirstQuarterEnd) != 0)
            parts.Add("on a quarter's closing days, none remembered before, within a few times its usual peak (likely a quarter-end job; it alerts if it goes on or grows)");
        if ((signals & AnomalySignals.ExpensiveModel) != 0) parts.Add("a new, more expensive model");
        else if ((signals & AnomalySignals.NewModel) != 0) parts.Add("a model it never used before");
        if ((signals & AnomalySignals.QuietKey) != 0) parts.Add("use of a key that should be quiet (disabled, deleted, expired or unused for weeks)");
        if ((signals & AnomalySignals.RotatedKey) != 0) parts.Add("use of an old key after its rotation");
        if ((signals & AnomalySignals.UnknownKey) != 0) parts.Add("use of a key id the provider's key list does not have");
        return parts.Count == 0 ? "unusual activity" : string.Join("; ", parts);
    }

    private static DateTimeOffset At(long step, TimeSpan width) => DateTimeOffset.FromUnixTimeSeconds(step * (long)width.TotalSeconds);

    // The detector works in doubles; the money it reports is rounded to the cent it is shown with.
    private static decimal Amount(double amount) => Math.Round((decimal)amount, 2);

    private static string Money(double amount, string currency) =>
        string.Create(CultureInfo.InvariantCulture, $"{Math.Round((decimal)amount, 2):0.00} {currency}");
}
