namespace Monitor.Core.Budgets;

/// <summary>
/// Projects period-end spend from the period so far and the scope's own weekly rhythm: the expected spend of each
/// remaining hour is the median spend of its weekday (over the last four weeks) times the share of the day's spend that
/// its hour carried over the last week, scaled by how the last seven days ran against that pattern (growth).
/// A Monday-heavy team's Monday is expected, so it does not look like a runaway week; a median keeps one past
/// incident from inflating every later forecast. With under a week of history the projection is linear.
/// </summary>
public static class SpendForecast
{
    public const int HistoryDays = 28;

    /// <summary>The hour-of-day shape is learnt from the last week (hourly data); weekday levels from four weeks of days.</summary>
    public const int ShapeDays = 7;
    private const int MinPatternDays = 7;

    // Every hour keeps a little of the day's average, so an hour that was silent in the history still counts.
    private const double UniformShare = 0.1;

    public static SpendProjection Project(HourlySpend spend, BudgetPeriod period, DateTimeOffset now)
    {
        if (now >= period.End)
            return new SpendProjection(spend.Sum(period.Start, period.End), spend.Sum(period.Start, period.End), [], "period ended");

        // The bucket of the current hour holds what is recorded so far: it counts whole, and the projection starts after it.
        now = HourlySpend.CeilHour(now) < period.End ? HourlySpend.CeilHour(now) : period.End;
        var spent = spend.Sum(period.Start, now);
        var nowIndex = spend.IndexOf(now);
        var historyStart = Math.Max(0, nowIndex - (HistoryDays * 24));
        var history = 0.0;
        for (var i = historyStart; i < nowIndex && i < spend.Micros.Length; i++)
            history += spend.Micros[i];
        if (nowIndex - historyStart < MinPatternDays * 24 || history <= 0)
            return Linear(spent, period, now);

        var calendar = new UtcHours(spend.Origin);
        var levels = WeekdayLevels(spend, calendar, historyStart, nowIndex);
        var shares = HourShares(spend, calendar, Math.Max(historyStart, nowIndex - (ShapeDays * 24)), nowIndex);
        double Expected(int i) => levels[(int)calendar.Weekday(i)] * shares[calendar.Hour(i)];

        // Growth: how the last seven days ran against the pattern (bounded, so one odd week cannot run away).
        double actual = 0, expected = 0;
        for (var i = Math.Max(historyStart, nowIndex - (7 * 24)); i < nowIndex; i++)
        {
            actual += spend.Micros[i];
            expected += Expected(i);
        }

        var growth = expected > 0 ? Math.Clamp(actual / expected, 0.25, 4) : 1;
        var forecast = spent;
        var curve = new List<(DateTimeOffset, double)> { (now, spent) };
        var endIndex = (int)Math.Ceiling((period.End - spend.Origin).TotalHours);
        for (var i = nowIndex; i < endIndex; i++)
        {
            var hourStart = spend.Origin.AddHours(i);
            var from = hourStart < now ? now : hourStart;
            var to = hourStart.AddHours(1) > period.End ? period.End : hourStart.AddHours(1);
            if (to <= from)
                continue;
            forecast += growth * Expected(i) * (to - from).TotalHours;
            if (calendar.Hour(i) == 23 || i == endIndex - 1)
                curve.Add((to, forecast));
        }

        return new SpendProjection(spent, forecast, curve, "weekday and hour pattern");
    }

    private static SpendProjection Linear(double spent, BudgetPeriod period, DateTimeOffset now)
    {
        var elapsed = (now - period.Start).TotalHours;
        var remaining = (period.End - now).TotalHours;
        var forecast = elapsed > 0 ? spent + (spent / elapsed * remaining) : spent;
        return new SpendProjection(spent, forecast, [(now, spent), (period.End, forecast)], "linear");
    }

    // Median spend of each local weekday over the complete local days in the history; a weekday without a sample
    // takes the median of all days.
    private static double[] WeekdayLevels(HourlySpend spend, UtcHours calendar, int from, int to)
    {
        var days = new Dictionary<DateTime, (double Total, int Hours)>();
        for (var i = from; i < to; i++)
        {
            var date = calendar.Date(i);
            days[date] = days.TryGetValue(date, out var d) ? (d.Total + spend.Micros[i], d.Hours + 1) : (spend.Micros[i], 1);
        }

        var complete = days.Where(d => d.Value.Hours >= 23).ToList();
        var all = Median(complete.Select(d => d.Value.Total).ToList());
        var levels = new double[7];
        for (var w = 0; w < 7; w++)
        {
            var samples = complete.Where(d => (int)d.Key.DayOfWeek == w).Select(d => d.Value.Total).ToList();
            levels[w] = samples.Count > 0 ? Median(samples) : all;
        }

        return levels;
    }

    private static double[] HourShares(HourlySpend spend, UtcHours calendar, int from, int to)
    {
        var sums = new double[24];
        var total = 0.0;
        for (var i = from; i < to; i++)
        {
            sums[calendar.Hour(i)] += spend.Micros[i];
            total += spend.Micros[i];
        }

        if (total <= 0)
            return [.. Enumerable.Repeat(1.0 / 24, 24)];
        var shares = new double[24];
        for (var h = 0; h < 24; h++)
            shares[h] = ((1 - UniformShare) * sums[h] / total) + (UniformShare / 24);
        return shares;
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0)
            return 0;
        values.Sort();
        var mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    // The date, weekday and hour of each hour from the origin, in UTC: a weekly rhythm is the same rhythm whatever zone
    // names it, and the period's own boundaries (which do follow the budget's zone) are decided elsewhere.
    private readonly struct UtcHours(DateTimeOffset origin)
    {
        public DateTime Date(int i) => origin.AddHours(i).UtcDateTime.Date;
        public DayOfWeek Weekday(int i) => origin.AddHours(i).DayOfWeek;
        public int Hour(int i) => origin.AddHours(i).Hour;
    }
}
