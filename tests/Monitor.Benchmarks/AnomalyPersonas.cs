namespace Monitor.Benchmarks;

/// <summary>
/// Spend traces built unlike <see cref="Monitor.Tests.Shared.AnomalyScenarios"/>: each key belongs to a persona (an
/// office team, a consumer app, a nightly pipeline, month-end, month-start and quarter-end jobs, a developer's sparse
/// key, a team that relocates) whose people and jobs make requests in a real IANA time zone (its DST changes, half-hour
/// offsets, the southern hemisphere) with its country's public holidays and year-end and summer lulls. Each hour's
/// requests are a Poisson count of the persona's rate, tokens per request are lognormal, cost is tokens times the
/// model's price. A trace spans <see cref="Days"/> days from a random date of 2025; its first
/// <see cref="HistoryDays"/> days are history (what the first check learns from the initial backfill without
/// reporting it), the rest is live. Incident kinds add a leak, an overnight burst, a new expensive model, or a leak
/// that starts on a month-end batch day, to one of the benign personas.
/// </summary>
public static class AnomalyPersonas
{
    public const int Days = 400;
    public const int HistoryDays = 30;

    public enum Kind
    {
        Office,
        Consumer,
        Nightly,
        WeeklyReport,
        MonthEnd,
        LastBusinessDay,
        MonthStart,
        QuarterEnd,
        QuarterOnly,
        Sparse,
        Relocation,
        Leak,
        Burst,
        ExpensiveModel,
        MonthEndLeak,
    }

    public static bool IsIncident(Kind kind) => kind >= Kind.Leak;

    /// <summary>One key: hourly spend, tokens and requests from <see cref="FirstHour"/>, models first used later, and the truth.</summary>
    public sealed record Trace(
        string Name, Kind Kind, long FirstHour, double[] Cost, double[] Tokens, double[] Requests,
        IReadOnlyList<(int Hour, string Model, double Price)> Models, int IncidentStart, int IncidentEnd);

    /// <summary>Every kind, <paramref name="perKind"/> keys each, from one seed.</summary>
    public static IReadOnlyList<Trace> Generate(int seed, int perKind)
    {
        var traces = new List<Trace>();
        foreach (var kind in Enum.GetValues<Kind>())
        {
            for (var i = 0; i < perKind; i++)
                traces.Add(One(kind, new Random(unchecked(seed * 15_485_863 + (int)kind * 7_919 + i * 104_729)), $"{kind}-{seed}-{i}"));
        }

        return traces;
    }

    // The personas an incident is added to.
    private static readonly Kind[] IncidentBases = [Kind.Office, Kind.Consumer, Kind.Nightly, Kind.WeeklyReport, Kind.MonthEnd, Kind.MonthStart, Kind.Sparse];

    private static readonly (string Zone, string Country)[] Zones =
    [
        ("America/Los_Angeles", "US"), ("America/New_York", "US"), ("America/Sao_Paulo", "BR"), ("Europe/London", "UK"),
        ("Europe/Berlin", "DE"), ("Europe/Paris", "FR"), ("Asia/Kolkata", "IN"), ("Asia/Tokyo", "JP"),
        ("Australia/Sydney", "AU"), ("Pacific/Auckland", "NZ"),
    ];

    public static Trace One(Kind kind, Random random, string name)
    {
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(random.Next(365));
        var hours = Days * 24;
        var (zoneId, country) = Zones[random.Next(Zones.Length)];
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        var calendar = new Calendar(start, hours, zone, country);
        var daily = Math.Exp(Uniform(random, Math.Log(1), Math.Log(300)));
        var models = new List<(int, string, double)>();
        var incidentStart = -1;
        var incidentEnd = -1;

        var baseKind = kind switch
        {
            Kind.Leak or Kind.Burst or Kind.ExpensiveModel => IncidentBases[random.Next(IncidentBases.Length)],
            Kind.MonthEndLeak => Kind.MonthEnd,
            _ => kind,
        };
        var rate = baseKind switch
        {
            Kind.Consumer => Consumer(calendar, random),
            Kind.Nightly => Nightly(calendar, random),
            Kind.Sparse => Sparse(calendar, random),
            Kind.Relocation => Relocation(calendar, random),
            _ => Office(calendar, random),
        };
        Scale(rate, daily);
        // Jobs on top of the team's own use, sized against its usual day.
        switch (baseKind)
        {
            case Kind.WeeklyReport:
            {
                var hour = 5 + random.Next(4);
                var size = daily * Uniform(random, 0.5, 3);
                Job(calendar, rate, size, hour, 2, d => d.DayOfWeek == DayOfWeek.Monday);
                break;
            }

            case Kind.MonthEnd:
            {
                var last = 1 + random.Next(3);
                Job(calendar, rate, daily * Uniform(random, 0.5, 4), 17 + random.Next(4), 4 + random.Next(7), d => DaysToMonthEnd(d) < last);
                break;
            }

            case Kind.LastBusinessDay:
                Job(calendar, rate, daily * Uniform(random, 1, 4), 10, 6, d => calendar.IsLastBusinessDay(d));
                break;
            case Kind.MonthStart:
            {
                var business = random.Next(2) == 0;
                Job(calendar, rate, daily * Uniform(random, 1, 3), 2 + random.Next(3), 3, d => business ? calendar.IsFirstBusinessDay(d) : d.Day == 1);
                break;
            }

            case Kind.QuarterEnd:
            {
                var monthly = daily * Uniform(random, 0.5, 2);
                var quarterly = Uniform(random, 2, 3);
                Job(calendar, rate, monthly, 18, 6, d => DaysToMonthEnd(d) < 2 || (d.Month % 3 == 0 && DaysToMonthEnd(d) < 3), d => d.Month % 3 == 0 ? quarterly : 1);
                break;
            }

            case Kind.QuarterOnly:
                Job(calendar, rate, daily * Uniform(random, 2, 5), 9, 8, d => d.Month % 3 == 0 && DaysToMonthEnd(d) < 2);
                break;
        }

        var extra = new double[hours];
        var live = HistoryDays * 24;
        var hourly = daily / 24;
        switch (kind)
        {
            case Kind.Leak:
                incidentStart = live + 14 * 24 + random.Next(hours - live - 30 * 24);
                incidentEnd = incidentStart + 12 + random.Next(60);
                for (var h = incidentStart; h < incidentEnd; h++)
                    extra[h] = hourly * Uniform(random, 3, 10);
                break;
            case Kind.Burst:
            {
                var day = (live + 14 * 24 + random.Next(hours - live - 30 * 24)) / 24;
                incidentStart = calendar.HourAtLocal(day, 1);
                incidentEnd = incidentStart + 4 + random.Next(3);
                var perHour = daily * Uniform(random, 1, 4) / (incidentEnd - incidentStart);
                for (var h = incidentStart; h < incidentEnd; h++)
                    extra[h] = perHour * Uniform(random, 0.8, 1.2);
                break;
            }

            case Kind.ExpensiveModel:
                incidentStart = live + 14 * 24 + random.Next(hours - live - 30 * 24);
                incidentEnd = Math.Min(hours, incidentStart + 5 * 24);
                models.Add((incidentStart, "expensive-model", Uniform(random, 5, 10)));
                for (var h = incidentStart; h < incidentEnd; h++)
                    extra[h] = rate[h] * Uniform(random, 1, 3) + hourly / 2 * random.NextDouble();
                break;
            case Kind.MonthEndLeak:
            {
                // On a batch day of a later month: above the batch, at any hour.
                var ends = Enumerable.Range(live / 24 + 40, Days - live / 24 - 45).Where(d => DaysToMonthEnd(calendar.Date(d)) == 0).ToList();
                var day = ends[random.Next(ends.Count)];
                incidentStart = day * 24 + random.Next(24);
                incidentEnd = incidentStart + 12 + random.Next(36);
                for (var h = incidentStart; h < Math.Min(hours, incidentEnd); h++)
                    extra[h] = hourly * Uniform(random, 3, 10);
                break;
            }

            case Kind.Office when random.NextDouble() < 0.5:
                // A benign model migration: a new model at about the old spend.
                models.Add((live + random.Next(hours - live), "main-model-2", Uniform(random, 0.5, 1.5)));
                break;
        }

        var tokensPerRequest = Math.Exp(Uniform(random, Math.Log(400), Math.Log(4000)));
        var perToken = 1.0 / tokensPerRequest; // a request of the key's usual size costs 1 unit of rate
        var cost = new double[hours];
        var tokens = new double[hours];
        var requests = new double[hours];
        // Requests per unit of spend: cheap models make many small requests, expensive ones few.
        var requestsPerUnit = Math.Exp(Uniform(random, Math.Log(20), Math.Log(2000)));
        for (var h = 0; h < hours; h++)
        {
            var r = Poisson(random, (rate[h] + extra[h]) * requestsPerUnit);
            requests[h] = r;
            tokens[h] = r == 0 ? 0 : Math.Round(r * tokensPerRequest * Math.Exp(0.8 * Gaussian(random) / Math.Sqrt(r)));
            cost[h] = tokens[h] * perToken / requestsPerUnit;
        }

        return new Trace(name, kind, start.ToUnixTimeSeconds() / 3600, cost, tokens, requests, models, incidentStart, incidentEnd);
    }

    // An office team: weekday working hours in its zone (with lunch), quiet weekends, holidays and lulls, slow hiring.
    private static double[] Office(Calendar calendar, Random random)
    {
        var weekend = Uniform(random, 0.02, 0.15);
        var begin = Uniform(random, 7.5, 10);
        var length = Uniform(random, 7, 10);
        var growth = Uniform(random, 0, 0.6);
        var hire = random.Next(calendar.Days);
        var rate = new double[calendar.Hours];
        var dayNoise = DayNoise(calendar, random, 0.15);
        for (var h = 0; h < rate.Length; h++)
        {
            var local = calendar.Local(h);
            var t = local.Hour + local.Minute / 60.0;
            var shape = Ramp(t - begin) * Ramp(begin + length - t) * (t is >= 12 and < 13.5 ? 0.7 : 1) + 0.03;
            var team = (1 + growth * h / rate.Length) * (h / 24 >= hire ? 1.2 : 1);
            rate[h] = shape * team * calendar.WorkFactor(local, weekend) * dayNoise[h / 24];
        }

        return rate;
    }

    // A consumer app: round the clock with an evening peak in its zone, busier weekends, steady growth.
    private static double[] Consumer(Calendar calendar, Random random)
    {
        var growth = Uniform(random, 0, 1);
        var weekend = Uniform(random, 1, 1.3);
        var rate = new double[calendar.Hours];
        var dayNoise = DayNoise(calendar, random, 0.08);
        for (var h = 0; h < rate.Length; h++)
        {
            var local = calendar.Local(h);
            var t = local.Hour + local.Minute / 60.0;
            var shape = 0.25 + 0.75 * Math.Pow(0.5 + 0.5 * Math.Cos((t - 20) * Math.PI / 12), 2);
            var isWeekend = local.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
            rate[h] = shape * (isWeekend ? weekend : 1) * (1 + growth * h / rate.Length) * dayNoise[h / 24];
        }

        return rate;
    }

    // A nightly pipeline at a local hour (it moves in UTC with DST), a run now and then skipped.
    private static double[] Nightly(Calendar calendar, Random random)
    {
        var at = random.Next(6);
        var length = 1 + random.Next(4);
        var weekdaysOnly = random.Next(3) == 0;
        var growth = Uniform(random, 0, 0.5);
        var rate = new double[calendar.Hours];
        var dayNoise = DayNoise(calendar, random, 0.15);
        for (var h = 0; h < rate.Length; h++)
        {
            var local = calendar.Local(h);
            var day = h / 24;
            var runs = (local.Hour - at + 24) % 24 < length && (!weekdaysOnly || local.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday));
            rate[h] = runs && !Skipped(day) ? (1 + growth * h / rate.Length) * dayNoise[day] : 0;
        }

        return rate;

        bool Skipped(int day) => (day * 2_654_435_761L % 1000) < 20; // about 2% of the nights, the same per key
    }

    // A developer's key: a session now and then (a few hours, evenings too), of very different sizes.
    private static double[] Sparse(Calendar calendar, Random random)
    {
        var weekdayChance = Uniform(random, 0.05, 0.4);
        var rate = new double[calendar.Hours];
        for (var day = 0; day < calendar.Days; day++)
        {
            var weekend = calendar.Date(day).DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
            if (random.NextDouble() >= (weekend ? weekdayChance / 4 : weekdayChance))
                continue;
            var from = calendar.HourAtLocal(day, 9 + random.Next(14));
            var size = Math.Exp(Gaussian(random));
            var length = 1 + random.Next(4);
            for (var h = from; h < Math.Min(rate.Length, from + length); h++)
                rate[h] += size / length;
        }

        return rate;
    }

    // An office team that moves to another zone (an office relocation or a new team taking over): the same work at
    // other hours from then on.
    private static double[] Relocation(Calendar calendar, Random random)
    {
        var before = Office(calendar, random);
        var shift = (4 + random.Next(7)) * (random.Next(2) == 0 ? 1 : -1);
        var day = HistoryDays + 30 + random.Next(calendar.Days - HistoryDays - 60);
        var rate = new double[before.Length];
        for (var h = 0; h < rate.Length; h++)
            rate[h] = h / 24 < day ? before[h] : before[Math.Clamp(h - shift, 0, rate.Length - 1)];
        return rate;
    }

    // Adds a job of `size` spend per day (times `factor` on some days) to the days it runs, from a local hour for `length` hours.
    private static void Job(Calendar calendar, double[] rate, double size, int hour, int length, Func<DateOnly, bool> runs, Func<DateOnly, double>? factor = null)
    {
        var dayNoise = DayNoise(calendar, new Random((int)(size * 1000) ^ hour), 0.2);
        for (var day = 0; day < calendar.Days; day++)
        {
            var date = calendar.Date(day);
            if (!runs(date))
                continue;
            var from = calendar.HourAtLocal(day, hour);
            for (var h = from; h < Math.Min(rate.Length, from + length); h++)
                rate[h] += size / length * dayNoise[day] * (factor?.Invoke(date) ?? 1);
        }
    }

    // Scales a rate so that the median weekday spends `daily`.
    private static void Scale(double[] rate, double daily)
    {
        var days = Enumerable.Range(0, rate.Length / 24).Select(d => rate.Skip(d * 24).Take(24).Sum()).Where(s => s > 0).Order().ToList();
        var typical = days.Count == 0 ? 1 : days[days.Count * 3 / 4];
        for (var h = 0; h < rate.Length; h++)
            rate[h] *= daily / typical;
    }

    private static double[] DayNoise(Calendar calendar, Random random, double sigma) =>
        [.. Enumerable.Range(0, calendar.Days).Select(_ => Math.Exp(sigma * Gaussian(random) - sigma * sigma / 2))];

    public static int DaysToMonthEnd(DateOnly date) => DateTime.DaysInMonth(date.Year, date.Month) - date.Day;

    private static double Ramp(double x) => 1 / (1 + Math.Exp(-3 * x));

    private static double Uniform(Random random, double min, double max) => min + random.NextDouble() * (max - min);

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static double Poisson(Random random, double mean)
    {
        if (mean <= 0)
            return 0;
        if (mean > 30)
            return Math.Max(0, Math.Round(mean + Math.Sqrt(mean) * Gaussian(random)));
        var limit = Math.Exp(-mean);
        var k = 0;
        for (var p = random.NextDouble(); p > limit; p *= random.NextDouble())
            k++;
        return k;
    }

    /// <summary>A trace's days in its zone: local times, holidays and business days.</summary>
    private sealed class Calendar(DateTimeOffset start, int hours, TimeZoneInfo zone, string country)
    {
        private readonly Dictionary<int, HashSet<DateOnly>> _holidays = [];

        public int Hours => hours;
        public int Days => hours / 24;

        public DateTime Local(int hour) => TimeZoneInfo.ConvertTime(start.AddHours(hour), zone).DateTime;

        /// <summary>The UTC day of the trace, as a date.</summary>
        public DateOnly Date(int day) => DateOnly.FromDateTime(start.AddDays(day).UtcDateTime);

        /// <summary>The trace's hour at which local time reads `hour` on the local date of UTC day `day`.</summary>
        public int HourAtLocal(int day, int hour)
        {
            var date = Date(day).ToDateTime(new TimeOnly(hour, 0), DateTimeKind.Unspecified);
            var utc = zone.IsInvalidTime(date) ? date.AddHours(1) - zone.GetUtcOffset(date.AddHours(1)) : date - zone.GetUtcOffset(date);
            return (int)Math.Clamp((new DateTimeOffset(utc, TimeSpan.Zero) - start).TotalHours, 0, hours - 1);
        }

        /// <summary>How busy a team is on this local day: weekends, holidays, the year-end and summer lulls.</summary>
        public double WorkFactor(DateTime local, double weekend)
        {
            var date = DateOnly.FromDateTime(local);
            if (IsHoliday(date))
                return 0.08;
            var factor = local.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? weekend : 1;
            if ((date.Month == 12 && date.Day >= 24) || (date.Month == 1 && date.Day <= 2))
                factor *= 0.3;
            if (date.Month == 8 && country is "FR" or "DE")
                factor *= 0.6;
            return factor;
        }

        public bool IsBusinessDay(DateOnly date) => date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !IsHoliday(date);

        public bool IsLastBusinessDay(DateOnly date)
        {
            if (!IsBusinessDay(date))
                return false;
            for (var d = date.AddDays(1); d.Month == date.Month; d = d.AddDays(1))
            {
                if (IsBusinessDay(d))
                    return false;
            }

            return true;
        }

        public bool IsFirstBusinessDay(DateOnly date)
        {
            if (!IsBusinessDay(date))
                return false;
            for (var d = date.AddDays(-1); d.Month == date.Month; d = d.AddDays(-1))
            {
                if (IsBusinessDay(d))
                    return false;
            }

            return true;
        }

        public bool IsHoliday(DateOnly date)
        {
            if (!_holidays.TryGetValue(date.Year, out var set))
                _holidays[date.Year] = set = Holidays(date.Year);
            return set.Contains(date);
        }

        private HashSet<DateOnly> Holidays(int year)
        {
            var easter = Easter(year);
            DateOnly D(int month, int day) => new(year, month, day);
            DateOnly Nth(int month, DayOfWeek dow, int n)
            {
                var d = D(month, 1);
                while (d.DayOfWeek != dow)
                    d = d.AddDays(1);
                return d.AddDays(7 * (n - 1));
            }

            DateOnly Last(int month, DayOfWeek dow)
            {
                var d = D(month, DateTime.DaysInMonth(year, month));
                while (d.DayOfWeek != dow)
                    d = d.AddDays(-1);
                return d;
            }

            return country switch
            {
                "US" => [D(1, 1), Nth(1, DayOfWeek.Monday, 3), Nth(2, DayOfWeek.Monday, 3), Last(5, DayOfWeek.Monday), D(6, 19), D(7, 4),
                    Nth(9, DayOfWeek.Monday, 1), Nth(11, DayOfWeek.Thursday, 4), Nth(11, DayOfWeek.Thursday, 4).AddDays(1), D(12, 25)],
                "UK" => [D(1, 1), easter.AddDays(-2), easter.AddDays(1), Nth(5, DayOfWeek.Monday, 1), Last(5, DayOfWeek.Monday),
                    Last(8, DayOfWeek.Monday), D(12, 25), D(12, 26)],
                "DE" => [D(1, 1), easter.AddDays(-2), easter.AddDays(1), D(5, 1), easter.AddDays(39), easter.AddDays(50), D(10, 3), D(12, 25), D(12, 26)],
                "FR" => [D(1, 1), easter.AddDays(1), D(5, 1), D(5, 8), easter.AddDays(39), easter.AddDays(50), D(7, 14), D(8, 15), D(11, 1),
                    D(11, 11), D(12, 25)],
                "IN" => [D(1, 26), D(8, 15), D(10, 2), year == 2025 ? D(3, 14) : D(3, 4), year == 2025 ? D(10, 20) : D(11, 8)],
                "JP" => [D(1, 1), D(1, 2), D(1, 3), D(4, 29), D(5, 3), D(5, 4), D(5, 5), D(8, 13), D(8, 14), D(8, 15), D(12, 30), D(12, 31)],
                "AU" => [D(1, 1), D(1, 26), easter.AddDays(-2), easter.AddDays(1), D(4, 25), D(12, 25), D(12, 26)],
                "NZ" => [D(1, 1), D(1, 2), D(2, 6), easter.AddDays(-2), easter.AddDays(1), D(4, 25), D(12, 25), D(12, 26)],
                "BR" => [D(1, 1), easter.AddDays(-48), easter.AddDays(-47), easter.AddDays(-2), D(4, 21), D(5, 1), D(9, 7), D(10, 12),
                    D(11, 2), D(11, 15), D(12, 25)],
                _ => [],
            };
        }

        // Easter Sunday (the anonymous Gregorian algorithm).
        private static DateOnly Easter(int year)
        {
            int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
            int h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451;
            var month = (h + l - 7 * m + 114) / 31;
            var day = (h + l - 7 * m + 114) % 31 + 1;
            return new DateOnly(year, month, day);
        }
    }
}
