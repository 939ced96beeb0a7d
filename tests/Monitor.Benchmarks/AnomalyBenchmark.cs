using System.Diagnostics;
using Monitor.Core.Anomalies;
using Monitor.Tests.Shared;
using static System.FormattableString;

namespace Monitor.Benchmarks;

/// <summary>
/// Anomaly detection figures: precision, recall, detection delay and false alerts per key-month over a fixed seed set
/// of the scenario generator; the detector's scoring throughput on one core.
/// </summary>
public static class AnomalyBenchmark
{
    public static readonly int[] Seeds = [11, 23, 37, 41, 59];

    /// <summary>
    /// Seeds never used while changing the detector: the check that a change generalises beyond <see cref="Seeds"/>.
    /// Once a change has been made while looking at them, they are replaced by fresh ones (before: 613, 727, 829, 919,
    /// 1021; before those: 101, 211, 307, 401, 503).
    /// </summary>
    public static readonly int[] HeldOutSeeds = [1109, 1201, 1303, 1409, 1511];

    public sealed record Quality(
        int Incidents, int Found, int Alerts, int TrueAlerts, double KeyMonths, int FalseAlerts,
        IReadOnlyDictionary<AnomalyScenarios.Kind, KindFigures> ByKind,
        IReadOnlyDictionary<AnomalyScenarios.Kind, int> FalseByKind)
    {
        public double Recall => Incidents == 0 ? 1 : (double)Found / Incidents;
        public double Precision => Alerts == 0 ? 1 : (double)TrueAlerts / Alerts;
        public double FalsePerTenKeyMonths => FalseAlerts / KeyMonths * 10;
    }

    /// <summary>
    /// One incident kind: found of injected, delays to the alert in hours, and the worst delay on keys spending at least
    /// <see cref="SmallKey"/> a day (below that, the minimum extra spend guard is what waits, by design).
    /// </summary>
    public sealed record KindFigures(int Injected, int Found, double MeanDelay, double P90Delay, double MaxDelay, double MaxDelayLargerKeys);

    public const double SmallKey = 5;

    /// <summary>Seeds of the persona traces (<see cref="AnomalyPersonas"/>) used while changing the detector.</summary>
    public static readonly int[] PersonaSeeds = [13, 17, 19];

    /// <summary>Persona seeds never looked at while changing the detector (replaced likewise; before: 907, 1013, 1117; before those: 601, 701, 809).</summary>
    public static readonly int[] PersonaHeldOutSeeds = [1213, 1319, 1427];

    /// <summary>
    /// Persona figures per kind: live key-months, false alerts (incidents that do not match the injected one, from
    /// the end of the history on), incidents only noted (a likely first quarter-end job: a digest line, no alert), and
    /// for incident kinds found of injected with the delays to the alert in hours.
    /// </summary>
    public sealed record PersonaFigures(
        AnomalyPersonas.Kind Kind, int Keys, double KeyMonths, int FalseAlerts, int Injected, int Found, double MeanDelay, double P90Delay, double MaxDelay, int Noted = 0)
    {
        public double FalsePerKeyMonth => FalseAlerts / KeyMonths;
    }

    public static Task RunAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        Console.WriteLine(Invariant($"anomaly: scenario generator, {Seeds.Length} seeds x 9 kinds x 20 keys x {AnomalyScenarios.Days} days hourly ..."));
        var watch = Stopwatch.StartNew();
        Print(Measure(Seeds, 20, new AnomalyRules()), Seeds.Length);
        Console.WriteLine(Invariant($"  held-out seeds {string.Join(", ", HeldOutSeeds)}:"));
        Print(Measure(HeldOutSeeds, 20, new AnomalyRules()), HeldOutSeeds.Length);
        foreach (var (title, seeds) in new[] { ("persona traces, seeds", PersonaSeeds), ("persona traces, held-out seeds", PersonaHeldOutSeeds) })
        {
            Console.WriteLine(Invariant($"  {title} {string.Join(", ", seeds)}: {Enum.GetValues<AnomalyPersonas.Kind>().Length} kinds x 20 keys x {AnomalyPersonas.Days} days hourly, the first {AnomalyPersonas.HistoryDays} history"));
            PrintPersonas(MeasurePersonas(seeds, 20, new AnomalyRules()));
        }

        Console.WriteLine(Invariant($"  ({watch.Elapsed.TotalSeconds:F1} s)"));
        var rate = Throughput(20_000_000);
        Console.WriteLine(Invariant($"  scoring throughput: {rate:N0} points/s on one core"));
        return Task.CompletedTask;
    }

    public static Quality Measure(int[] seeds, int perKind, AnomalyRules rules)
    {
        var outcomes = seeds.SelectMany(seed => AnomalyScenarios.Generate(seed, perKind)).Select(t => AnomalyScenarios.Run(t, rules)).ToList();
        var byKind = new Dictionary<AnomalyScenarios.Kind, KindFigures>();
        var falseByKind = new Dictionary<AnomalyScenarios.Kind, int>();
        int incidents = 0, found = 0, alerts = 0, trueAlerts = 0, falseAlerts = 0;
        foreach (var group in outcomes.GroupBy(o => o.Trace.Kind))
        {
            var delays = new List<double>();
            var largerKeys = 0.0;
            var injected = 0;
            foreach (var o in group)
            {
                alerts += o.Incidents.Count;
                var hits = o.Incidents.Where(i => AnomalyScenarios.Hits(o.Trace, i)).ToList();
                trueAlerts += hits.Count;
                var misses = o.Incidents.Count - hits.Count;
                falseAlerts += misses;
                falseByKind[group.Key] = falseByKind.GetValueOrDefault(group.Key) + misses;
                if (!AnomalyScenarios.IsIncident(o.Trace.Kind))
                    continue;
                injected++;
                if (hits.Count == 0)
                    continue;
                var delay = hits.Min(i => i.ReportableAt!.Value - AnomalyScenarios.FirstHour) - o.Trace.IncidentStart;
                delays.Add(delay);
                if (o.Trace.Cost.Skip(o.Trace.IncidentStart - 7 * 24).Take(7 * 24).Sum() / 7 >= SmallKey)
                    largerKeys = Math.Max(largerKeys, delay);
            }

            incidents += injected;
            found += delays.Count;
            delays.Sort();
            byKind[group.Key] = delays.Count == 0
                ? new KindFigures(injected, 0, 0, 0, 0, 0)
                : new KindFigures(injected, delays.Count, delays.Average(), delays[(int)Math.Ceiling(0.9 * delays.Count) - 1], delays[^1], largerKeys);
        }

        // Key-months after the week of warm-up.
        var keyMonths = outcomes.Count * (AnomalyScenarios.Days - 7) / 30.0;
        return new Quality(incidents, found, alerts, trueAlerts, keyMonths, falseAlerts, byKind, falseByKind);
    }

    public static List<PersonaFigures> MeasurePersonas(int[] seeds, int perKind, AnomalyRules rules)
    {
        var traces = seeds.SelectMany(seed => AnomalyPersonas.Generate(seed, perKind)).ToList();
        var outcomes = new (AnomalyPersonas.Trace Trace, IReadOnlyList<AnomalyIncident> Incidents)[traces.Count];
        Parallel.For(0, traces.Count, i => outcomes[i] = (traces[i], AnomalyScenarios.ScoreAll(
            traces[i].FirstHour, traces[i].Cost, traces[i].Tokens, traces[i].Requests, traces[i].Models, rules)));
        var live = AnomalyPersonas.HistoryDays * 24;
        var figures = new List<PersonaFigures>();
        foreach (var group in outcomes.GroupBy(o => o.Trace.Kind))
        {
            int falseAlerts = 0, injected = 0, noted = 0;
            var delays = new List<double>();
            foreach (var (trace, all) in group)
            {
                noted += all.Count(i => i.NotedOnly && i.Start - trace.FirstHour >= live);
                var incidents = all.Where(i => !i.NotedOnly).ToList();
                var counted = incidents.Where(i => i.Start - trace.FirstHour >= live).ToList();
                bool Hit(AnomalyIncident i) => trace.IncidentStart >= 0 && i.Start - trace.FirstHour >= trace.IncidentStart - 24 && i.Start - trace.FirstHour < trace.IncidentEnd;
                falseAlerts += counted.Count(i => !Hit(i));
                if (trace.IncidentStart < 0)
                    continue;
                injected++;
                if (counted.Where(Hit).Select(i => i.ReportableAt!.Value - trace.FirstHour - trace.IncidentStart).DefaultIfEmpty(-1).Min() is var delay and >= 0)
                    delays.Add(delay);
            }

            delays.Sort();
            var keys = group.Count();
            figures.Add(new PersonaFigures(group.Key, keys, keys * (AnomalyPersonas.Days - AnomalyPersonas.HistoryDays) / 30.0, falseAlerts, injected, delays.Count,
                delays.Count == 0 ? 0 : delays.Average(), delays.Count == 0 ? 0 : delays[(int)Math.Ceiling(0.9 * delays.Count) - 1], delays.Count == 0 ? 0 : delays[^1], noted));
        }

        return figures;
    }

    public static void PrintPersonas(List<PersonaFigures> figures)
    {
        foreach (var f in figures.OrderBy(f => f.Kind))
        {
            Console.WriteLine(AnomalyPersonas.IsIncident(f.Kind)
                ? Invariant($"  {f.Kind,-16} found {f.Found}/{f.Injected}, delay mean {f.MeanDelay:F1} h, p90 {f.P90Delay:F0} h, max {f.MaxDelay:F0} h; false alerts {f.FalseAlerts} ({f.FalsePerKeyMonth:F3} per key-month); noted {f.Noted}")
                : Invariant($"  {f.Kind,-16} false alerts {f.FalseAlerts} over {f.KeyMonths:F0} key-months ({f.FalsePerKeyMonth:F3} per key-month); noted {f.Noted}"));
        }

        var benign = figures.Where(f => !AnomalyPersonas.IsIncident(f.Kind)).ToList();
        var incidents = figures.Where(f => AnomalyPersonas.IsIncident(f.Kind)).ToList();
        Console.WriteLine(Invariant($"  benign: worst kind {benign.Max(f => f.FalsePerKeyMonth):F3} false alerts per key-month, all {benign.Sum(f => f.FalseAlerts) / benign.Sum(f => f.KeyMonths):F3}; incidents found {incidents.Sum(f => f.Found)}/{incidents.Sum(f => f.Injected)}"));
    }

    /// <summary>Points per second through one detector on one thread (best of three runs).</summary>
    public static double Throughput(int points)
    {
        var values = new double[4096];
        var random = new Random(5);
        for (var i = 0; i < values.Length; i++)
            values[i] = 10 + 5 * Math.Sin(i * Math.PI / 12) + random.NextDouble();
        var best = 0.0;
        double sink = 0;
        for (var round = 0; round < 3; round++)
        {
            var detector = new SeriesDetector(DetectorSettings.ForStep(TimeSpan.FromHours(1)));
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < points; i++)
                sink += detector.Next(i, values[i & 4095]).Score;
            best = Math.Max(best, points / watch.Elapsed.TotalSeconds);
        }

        return sink >= 0 ? best : 0;
    }

    public static void Print(Quality q, int seeds)
    {
        Console.WriteLine(Invariant($"  {q.Incidents} injected incidents over {seeds} seeds, {q.KeyMonths:F0} key-months"));
        foreach (var (kind, k) in q.ByKind.OrderBy(k => k.Key))
        {
            Console.WriteLine(AnomalyScenarios.IsIncident(kind)
                ? Invariant($"  {kind,-18} found {k.Found}/{k.Injected}, delay mean {k.MeanDelay:F1} h, p90 {k.P90Delay:F0} h, max {k.MaxDelay:F0} h ({k.MaxDelayLargerKeys:F0} h on keys over {SmallKey}/day); false alerts {q.FalseByKind.GetValueOrDefault(kind)}")
                : Invariant($"  {kind,-18} false alerts {q.FalseByKind.GetValueOrDefault(kind)}"));
        }

        Console.WriteLine(Invariant($"  recall {q.Recall:F3}, precision {q.Precision:F3}, false alerts per 10 key-months {q.FalsePerTenKeyMonths:F2}"));
    }
}
