using Monitor.Core.Anomalies;

namespace Monitor.Tests.Shared;

/// <summary>
/// Synthetic hourly spend traces per key, with known truth: daily and weekly seasonality, growth and noise; injected
/// incidents (sustained spike, overnight burst, new expensive model, slow ramp over two weeks, old key used after
/// rotation) and benign changes that must not alert (a launch lifting the level for good, month-end batch jobs, a
/// holiday lull). The same seed gives the same keys. Shared by the tests and the benchmark.
/// </summary>
public static class AnomalyScenarios
{
    public const int Days = 90;
    public const int Hours = Days * 24;

    /// <summary>Monday 2026-01-05 00:00 UTC, as an hour index since the Unix epoch.</summary>
    public static readonly long FirstHour = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds() / 3600;

    public enum Kind
    {
        Normal,
        SustainedSpike,
        OvernightBurst,
        NewExpensiveModel,
        SlowRamp,
        RotatedKeyUsed,
        Launch,
        MonthEnd,
        HolidayLull,
    }

    public static bool IsIncident(Kind kind) => kind is Kind.SustainedSpike or Kind.OvernightBurst or Kind.NewExpensiveModel
        or Kind.SlowRamp or Kind.RotatedKeyUsed;

    /// <summary>One key's trace: spend, tokens and requests per hour, an optional second model, and the truth.</summary>
    public sealed record Trace(
        string Name, Kind Kind, double[] Cost, double[] Tokens, double[] Requests,
        string? NewModel, int NewModelFrom, int IncidentStart, int IncidentEnd);

    /// <summary>Every kind, <paramref name="perKind"/> keys each, from one seed.</summary>
    public static IReadOnlyList<Trace> Generate(int seed, int perKind)
    {
        var traces = new List<Trace>();
        foreach (var kind in Enum.GetValues<Kind>())
        {
            for (var i = 0; i < perKind; i++)
                traces.Add(One(kind, new Random(unchecked(seed * 7919 + (int)kind * 104_729 + i)), $"{kind}-{seed}-{i}"));
        }

        return traces;
    }

    public static Trace One(Kind kind, Random random, string name)
    {
        var daily = Math.Exp(Log(random, 2, 300)); // 2 to 300 per day
        var zone = random.Next(-8, 10);
        var office = random.NextDouble() < 0.6;
        var weekend = office ? 0.15 + random.NextDouble() * 0.35 : 0.7 + random.NextDouble() * 0.3;
        var growth = random.NextDouble() * 0.5;
        var noise = 0.08 + random.NextDouble() * 0.2;
        var perToken = 2e-6 * (0.5 + random.NextDouble() * 4);
        var cost = new double[Hours];
        var factor = new double[Hours];
        for (var h = 0; h < Hours; h++)
        {
            var local = ((h + zone) % 24 + 24) % 24;
            var day = (h + zone) / 24;
            var isWeekend = (day % 7 + 7) % 7 >= 5;
            var shape = office ? Office[local] : 0.6 + 0.4 * Math.Sin((local - 8) * Math.PI / 12);
            var level = daily / 24 * shape * (isWeekend ? weekend : 1) * (1 + growth * h / Hours);
            cost[h] = level * Math.Exp(noise * Gaussian(random) - noise * noise / 2);
            factor[h] = 1;
        }

        var start = 0;
        var end = 0;
        string? newModel = null;
        var extra = new double[Hours];
        switch (kind)
        {
            case Kind.SustainedSpike:
                start = StartHour(random);
                end = start + 12 + random.Next(60);
                for (var h = start; h < end; h++)
                    extra[h] = daily / 24 * (3 + random.NextDouble() * 7);
                break;
            case Kind.OvernightBurst:
                // 01:00 to 06:00 local time: a few times the key's daily spend.
                start = StartHour(random) / 24 * 24 + ((1 - zone) % 24 + 24) % 24;
                end = start + 4 + random.Next(3);
                var burst = daily * (1 + random.NextDouble() * 3) / (end - start);
                for (var h = start; h < end; h++)
                    extra[h] = burst * (0.8 + random.NextDouble() * 0.4);
                break;
            case Kind.NewExpensiveModel:
                start = StartHour(random);
                end = Math.Min(Hours, start + 24 * 5);
                newModel = "expensive-model";
                for (var h = start; h < end; h++)
                    extra[h] = cost[h] * (1 + random.NextDouble() * 2) + daily / 48 * random.NextDouble();
                break;
            case Kind.SlowRamp:
                // From 1x to 4-6x over two weeks, then it stays.
                start = StartHour(random);
                end = Hours;
                var top = 3 + random.NextDouble() * 2;
                for (var h = start; h < Hours; h++)
                    factor[h] = 1 + top * Math.Min(1, (h - start) / (14.0 * 24));
                break;
            case Kind.RotatedKeyUsed:
                // Rotated at day 35: silent until someone uses the old key again, about its old daily volume in a day.
                var rotated = 35 * 24;
                start = StartHour(random) + 14 * 24;
                end = start + 6 + random.Next(18);
                for (var h = rotated; h < Hours; h++)
                    factor[h] = 0;
                for (var h = start; h < end; h++)
                    extra[h] = daily / (end - start) * (0.5 + random.NextDouble());
                break;
            case Kind.Launch:
                start = StartHour(random);
                var lift = 1.2 + random.NextDouble() * 0.25;
                for (var h = start; h < Hours; h++)
                    factor[h] = 1 + (lift - 1) * Math.Min(1, (h - start) / 48.0);
                break;
            case Kind.MonthEnd:
                // The last two days of every month: batch jobs add 30-50% during the day.
                var batch = 0.3 + random.NextDouble() * 0.2;
                for (var h = 0; h < Hours; h++)
                {
                    var date = DateTimeOffset.FromUnixTimeSeconds((FirstHour + h) * 3600);
                    if (date.Day >= DateTime.DaysInMonth(date.Year, date.Month) - 1)
                        factor[h] = 1 + batch;
                }

                break;
            case Kind.HolidayLull:
                start = StartHour(random);
                var lull = 0.2 + random.NextDouble() * 0.2;
                for (var h = start; h < Math.Min(Hours, start + 24 * (4 + random.Next(5))); h++)
                    factor[h] = lull;
                break;
        }

        var tokens = new double[Hours];
        var requests = new double[Hours];
        for (var h = 0; h < Hours; h++)
        {
            cost[h] = cost[h] * factor[h] + extra[h];
            var normalTokens = (cost[h] - extra[h] * (kind == Kind.NewExpensiveModel ? 1 : 0)) / perToken;
            var extraTokens = kind == Kind.NewExpensiveModel ? extra[h] / (perToken * 5) : 0;
            tokens[h] = Math.Round(normalTokens + extraTokens);
            requests[h] = Math.Round(tokens[h] / 2000);
        }

        return new Trace(name, kind, cost, tokens, requests, newModel, newModel is null ? -1 : start,
            IsIncident(kind) ? start : -1, IsIncident(kind) ? end : -1);
    }

    /// <summary>A trace of one model from hourly spend alone (tokens and requests follow the spend), with no injected truth.</summary>
    public static Trace FromCost(string name, double[] cost)
    {
        var tokens = cost.Select(c => Math.Round(c / 4e-6)).ToArray();
        return new Trace(name, Kind.Normal, cost, tokens, [.. tokens.Select(t => Math.Round(t / 2000))], null, -1, -1, -1);
    }

    /// <summary>What one trace gave: reportable incidents (start, reportable-at hour) with the key's truth.</summary>
    public sealed record Outcome(Trace Trace, IReadOnlyList<AnomalyIncident> Incidents);

    /// <summary>Runs one trace through a <see cref="KeyWatch"/> and an <see cref="IncidentTracker"/>, hour by hour.</summary>
    public static Outcome Run(Trace trace, AnomalyRules rules) =>
        new(trace, Score(FirstHour, trace.Cost, trace.Tokens, trace.Requests, trace.NewModel is { } m ? [(trace.NewModelFrom, m, 5)] : [], rules));

    /// <summary>
    /// Scores hourly spend from <paramref name="firstHour"/> (hours since the Unix epoch) on with one key's
    /// <see cref="KeyWatch"/> (its main model priced 1, <paramref name="models"/> first used at their hour with their
    /// relative price) and <see cref="IncidentTracker"/>: the reportable incidents.
    /// </summary>
    public static IReadOnlyList<AnomalyIncident> Score(
        long firstHour, double[] cost, double[] tokens, double[] requests, IReadOnlyList<(int Hour, string Model, double Price)> models, AnomalyRules rules) =>
        [.. ScoreAll(firstHour, cost, tokens, requests, models, rules).Where(i => !i.NotedOnly)];

    /// <summary>As <see cref="Score"/>, with the incidents only noted (a likely first quarter-end job: a digest line, no alert).</summary>
    public static IReadOnlyList<AnomalyIncident> ScoreAll(
        long firstHour, double[] cost, double[] tokens, double[] requests, IReadOnlyList<(int Hour, string Model, double Price)> models, AnomalyRules rules)
    {
        var watch = new KeyWatch(DetectorSettings.ForStep(TimeSpan.FromHours(1)), rules);
        var tracker = new IncidentTracker(rules);
        watch.UseModel("main-model", 1);
        for (var h = 0; h < cost.Length; h++)
        {
            foreach (var (hour, model, price) in models)
            {
                if (hour == h)
                    watch.UseModel(model, price);
            }

            tracker.Add(watch.Observe(firstHour + h, cost[h], tokens[h], requests[h]));
        }

        return [.. tracker.Reportable()];
    }

    /// <summary>Whether an incident matches the trace's injected one: it starts inside it (or up to a day before).</summary>
    public static bool Hits(Trace trace, AnomalyIncident incident) =>
        IsIncident(trace.Kind) && incident.Start - FirstHour >= trace.IncidentStart - 24 && incident.Start - FirstHour < trace.IncidentEnd;

    // Day 30 to day 75: after the warm-up, with room for the incident to run.
    private static int StartHour(Random random) => (30 + random.Next(45)) * 24 + random.Next(24);

    private static double Log(Random random, double min, double max) =>
        Math.Log(min) + random.NextDouble() * (Math.Log(max) - Math.Log(min));

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static readonly double[] Office =
        [0.05, 0.04, 0.03, 0.03, 0.04, 0.08, 0.2, 0.5, 0.9, 1.2, 1.3, 1.3,
         1.0, 1.2, 1.3, 1.3, 1.2, 0.9, 0.6, 0.4, 0.25, 0.15, 0.1, 0.07];
}
