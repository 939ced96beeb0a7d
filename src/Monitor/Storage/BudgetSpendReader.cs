using Dapper;
using Monitor.Core.Budgets;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;

namespace Monitor.Storage;

/// <summary>
/// Reads the spend every budget needs in one pass over the ledger window (the longest period plus four weeks of
/// history for the forecast), instead of one query per budget. Whole days come from the daily rollup, the last week
/// and the days a period starts inside of from the hourly ledger; both hold only each account's counted usage source. Each series is matched to budgets once (through a
/// dictionary per scope shape: which of account, workspace, key and model the budgets name), so 1,000 budgets cost
/// little more than one.
/// </summary>
public sealed class BudgetSpendReader(Database database)
{
    private readonly UsageWindowReader _usage = new(database);

    public Task<IReadOnlyList<BudgetStatus>> StatusesAsync(
        IReadOnlyList<BudgetDefinition> budgets, IReadOnlyList<ExchangeRate> rates, DateTimeOffset asOf, CancellationToken ct) =>
        StatusesAsync(budgets, rates, asOf, forecastHistory: true, ct);

    /// <param name="forecastHistory">
    /// False reads only each period (for a rolling budget, its window): the spend without the four weeks of history the
    /// forecast learns from, and without a projection. The enforced budgets' guard reads that every few seconds.
    /// </param>
    public async Task<IReadOnlyList<BudgetStatus>> StatusesAsync(
        IReadOnlyList<BudgetDefinition> budgets, IReadOnlyList<ExchangeRate> rates, DateTimeOffset asOf, bool forecastHistory, CancellationToken ct)
    {
        if (budgets.Count == 0)
            return [];
        var periods = budgets.Select(b => b.PeriodAt(asOf)).ToArray();
        var spends = new HourlySpend[budgets.Count];
        for (var i = 0; i < budgets.Count; i++)
        {
            var history = !forecastHistory ? TimeSpan.Zero
                : budgets[i].Period == BudgetPeriodKind.Rolling ? TimeSpan.FromDays(2 * budgets[i].RollingDays)
                : TimeSpan.FromDays(SpendForecast.HistoryDays);
            var origin = Hour(Min(periods[i].Start, asOf - history));
            var end = periods[i].End > asOf ? periods[i].End : asOf;
            spends[i] = new HourlySpend(origin, (int)Math.Ceiling((end - origin).TotalHours) + 1);
        }

        var excluded = budgets.Select(_ => new Dictionary<Currency, long>()).ToArray();
        var index = new ScopeIndex(budgets);
        var from = spends.Min(s => s.Origin);
        var until = periods.Select(p => p.End < HourlySpend.CeilHour(asOf) ? p.End : HourlySpend.CeilHour(asOf)).ToArray();
        var series = new Dictionary<SeriesKey, Series>();
        var windowHours = spends.Max(x => (int)Math.Round((x.Origin - from).TotalHours) + x.Micros.Length);
        var rateCache = new Dictionary<(Currency, Currency, long), decimal?>();
        var keyNames = await KeyNamesAsync(ct);

        // Whole UTC days before the last week come from the daily rollup (24 times fewer rows); the last week (for the
        // forecast's hour-of-day shape) and the UTC days a period starts inside of (for exact boundaries) are hourly.
        var recent = Day(asOf).AddDays(forecastHistory ? -RecentDays : 0);
        var edges = periods.Select(p => p.Start).Where(t => t < recent && t != Day(t)).Select(t => Day(t).ToUnixTimeSeconds())
            .Distinct().Order().ToArray();
        var matches = new List<int>();
        void Add(CostBucket bucket)
        {
            // Each series (scope, currency, bucket width) is matched to its budgets once, not once per row.
            var key = new SeriesKey(bucket.Account, bucket.Workspace, bucket.KeyId, bucket.Model, bucket.Currency, bucket.Width);
            if (!series.TryGetValue(key, out var s))
            {
                index.Match(key.Account, key.Workspace, key.KeyId, key.Model, matches);
                series[key] = s = new Series(key, [.. matches], new HourlySpend(from, matches.Count == 0 ? 0 : windowHours));
            }

            if (s.Budgets.Length == 0)
                return;
            var start = DateTimeOffset.FromUnixTimeSeconds(bucket.Start);
            var end = s.Width.EndOf(start);
            s.Spend.Add(start, end - start, bucket.CostMicros, end < asOf ? end : asOf);
        }

        // Month-wide buckets (and buckets that start a month before the window) are never split into days or hours.
        var now = asOf.ToUnixTimeSeconds();
        var hourly = edges.Select(e => (From: e, To: e + 86_400)).Append((From: Math.Max(recent.ToUnixTimeSeconds(), Day(from).ToUnixTimeSeconds()), To: now))
            .Select(r => (r.From, Math.Min(r.To, now)));
        await _usage.CostBucketsAsync(
            from.AddDays(-31).ToUnixTimeSeconds(), Day(from).ToUnixTimeSeconds(), recent.ToUnixTimeSeconds(), edges, now, hourly, Add, ct);

        // Each series adds into the budgets it counts in (converted where a dated rate exists, set aside where none does).
        foreach (var x in series.Values)
        {
            for (var j = 0; j < x.Budgets.Length; j++)
                x.PeriodMicros[j] = AddInto(x, x.Budgets[j]);
        }

        double AddInto(Series x, int b)
        {
            var target = spends[b];
            var offset = (int)Math.Round((target.Origin - from).TotalHours);
            var count = Math.Min(target.Micros.Length, x.Spend.Micros.Length - offset);
            var currency = budgets[b].Currency;
            if (x.Currency == currency)
            {
                var source = x.Spend.Micros.AsSpan(offset, count);
                var sink = target.Micros.AsSpan(0, count);
                for (var i = 0; i < count; i++)
                    sink[i] += source[i];
                return x.Spend.Sum(periods[b].Start, until[b]);
            }

            var inPeriod = 0.0;
            for (var i = 0; i < count; i++)
            {
                var value = x.Spend.Micros[offset + i];
                if (value == 0)
                    continue;
                var hour = target.Origin.AddHours(i);
                var inside = hour >= periods[b].Start && hour < until[b];
                if (RateAt(rates, rateCache, x.Currency, currency, hour) is { } rate)
                {
                    target.Micros[i] += value * (double)rate;
                    inPeriod += inside ? value * (double)rate : 0;
                }
                else if (inside)
                {
                    excluded[b][x.Currency] = excluded[b].GetValueOrDefault(x.Currency) + (long)Math.Round(value);
                }
            }

            return inPeriod;
        }

        var shares = budgets.Select(_ => new List<(SeriesKey Key, double Micros)>()).ToArray();
        foreach (var s in series.Values)
        {
            for (var j = 0; j < s.Budgets.Length; j++)
            {
                if (s.PeriodMicros[j] != 0)
                    shares[s.Budgets[j]].Add((s.Key, s.PeriodMicros[j]));
            }
        }

        string KeyLabel(SeriesKey k) =>
            k.KeyId.Length == 0 ? "(no key)" : keyNames.TryGetValue((k.Account, k.KeyId), out var name) && name != k.KeyId ? $"{name} ({k.KeyId})" : k.KeyId;
        return
        [
            .. budgets.Select((b, i) => Status(forecastHistory ? b : b with { Forecast = false }, periods[i], spends[i], excluded[i], asOf) with
            {
                TopModels = Top(shares[i], k => k.Model),
                TopKeys = Top(shares[i], KeyLabel),
            }),
        ];
    }

    private async Task<Dictionary<(string Account, string KeyId), string>> KeyNamesAsync(CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        return (await c.QueryAsync<(string Account, string KeyId, string? Name)>(new CommandDefinition("SELECT account, key_id, name FROM api_keys", cancellationToken: ct)))
            .Where(k => !string.IsNullOrEmpty(k.Name)).ToDictionary(k => (k.Account, k.KeyId), k => k.Name!);
    }

    private const int TopRows = 5;

    /// <summary>Days read hourly before now: the forecast's hour-of-day shape is learnt from them.</summary>
    private const int RecentDays = 7;

    private static DateTimeOffset Day(DateTimeOffset t) => DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds() / 86_400 * 86_400);

    private static IReadOnlyList<(string, decimal)> Top(List<(SeriesKey Key, double Micros)> shares, Func<SeriesKey, string> label) =>
    [
        .. shares.GroupBy(s => label(s.Key), StringComparer.Ordinal)
            .Select(g => (g.Key, ToMoney(g.Sum(s => s.Micros))))
            .OrderByDescending(x => x.Item2).ThenBy(x => x.Key, StringComparer.Ordinal).Take(TopRows),
    ];

    private readonly record struct SeriesKey(string Account, string Workspace, string KeyId, string Model, string CurrencyText, string WidthText);

    // One ledger series (hour by hour over the window) and the budgets it counts in; PeriodMicros[j] is its spend in
    // budget Budgets[j]'s period, in that budget's currency.
    private sealed class Series(SeriesKey key, int[] budgets, HourlySpend spend)
    {
        public HourlySpend Spend { get; } = spend;
        public SeriesKey Key { get; } = key;
        public int[] Budgets { get; } = budgets;
        public double[] PeriodMicros { get; } = new double[budgets.Length];
        public Currency Currency { get; } = Enum.Parse<Currency>(key.CurrencyText);
        public BucketWidth Width { get; } = BucketWidths.TryParse(key.WidthText, out var w) ? w : BucketWidth.Hour;
    }


    private static BudgetStatus Status(BudgetDefinition b, BudgetPeriod period, HourlySpend spend, Dictionary<Currency, long> excluded, DateTimeOffset asOf)
    {
        // Everything recorded up to now counts, including the bucket of the current hour.
        var until = period.End < HourlySpend.CeilHour(asOf) ? period.End : HourlySpend.CeilHour(asOf);
        var spent = ToMoney(spend.Sum(period.Start, until));
        var projection = b.Forecast && b.Period != BudgetPeriodKind.Rolling ? SpendForecast.Project(spend, period, asOf) : null;
        var episodes = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        if (b.Period == BudgetPeriodKind.Rolling)
        {
            foreach (var t in BudgetThreshold.Of(b).Where(t => spent >= t.Amount))
                episodes[t.Key] = BudgetRules.EpisodeStart(spend, b.RollingDays, t.Amount, asOf);
        }

        // Cumulative spend at each local midnight of the period, then now: the chart's solid line.
        var cumulative = new List<(DateTimeOffset, decimal)> { (period.Start, 0m) };
        var day = ZonedTime.ToLocal(period.Start, b.TimeZone).Date.AddDays(1);
        for (var t = ZonedTime.ToUtc(day, b.TimeZone); t < until; day = day.AddDays(1), t = ZonedTime.ToUtc(day, b.TimeZone))
            cumulative.Add((t, ToMoney(spend.Sum(period.Start, t))));
        cumulative.Add((until, spent));

        return new BudgetStatus
        {
            Budget = b, Period = period, At = asOf, Spent = spent, Projection = projection, RollingEpisodes = episodes,
            Excluded = [.. excluded.Where(e => e.Value != 0).Select(e => (e.Key, MoneyUnits.FromMicros(e.Value)))],
            Cumulative = cumulative,
        };
    }

    private static decimal? RateAt(IReadOnlyList<ExchangeRate> rates, Dictionary<(Currency, Currency, long), decimal?> cache, Currency from, Currency to, DateTimeOffset at)
    {
        var day = at.ToUnixTimeSeconds() / 86_400;
        if (!cache.TryGetValue((from, to, day), out var rate))
            cache[(from, to, day)] = rate = ExchangeRate.Find(rates, from, to, at);
        return rate;
    }

    private static decimal ToMoney(double micros) => decimal.Round((decimal)micros / 1_000_000m, 6);

    private static DateTimeOffset Hour(DateTimeOffset t) => DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds() / 3600 * 3600);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    // Budgets by the exact values of the scope fields they name; one dictionary per combination of named fields.
    private sealed class ScopeIndex
    {
        private readonly List<(bool Account, bool Workspace, bool Key, bool Model, Dictionary<(string?, string?, string?, string?), List<int>> Budgets)> _shapes = [];

        public ScopeIndex(IReadOnlyList<BudgetDefinition> budgets)
        {
            for (var i = 0; i < budgets.Count; i++)
            {
                var s = budgets[i].Scope;
                var shape = (s.Account is not null, s.Workspace is not null, s.KeyId is not null, s.Model is not null);
                var found = _shapes.FindIndex(x => (x.Account, x.Workspace, x.Key, x.Model) == shape);
                if (found < 0)
                {
                    _shapes.Add((shape.Item1, shape.Item2, shape.Item3, shape.Item4, []));
                    found = _shapes.Count - 1;
                }

                var key = (s.Account, s.Workspace, s.KeyId, s.Model);
                var map = _shapes[found].Budgets;
                if (!map.TryGetValue(key, out var list))
                    map[key] = list = [];
                list.Add(i);
            }
        }

        public void Match(string account, string workspace, string keyId, string model, List<int> matches)
        {
            matches.Clear();
            foreach (var (a, w, k, m, map) in _shapes)
            {
                if (map.TryGetValue((a ? account : null, w ? workspace : null, k ? keyId : null, m ? model : null), out var list))
                    matches.AddRange(list);
            }
        }
    }
}
