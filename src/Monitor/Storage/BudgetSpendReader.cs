using System.Data.Common;
using Dapper;
using Monitor.Core.Budgets;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;

namespace Monitor.Storage;

/// <summary>
/// Reads the spend every budget needs in one pass over the ledger window (the longest period plus four weeks of
/// history for the forecast), instead of one query per budget: a row is matched to budgets through a dictionary per
/// scope shape (which of account, workspace, key and model the budgets name), so 1,000 budgets cost little more than one.
/// </summary>
public sealed class BudgetSpendReader(Database database)
{
    public async Task<IReadOnlyList<BudgetStatus>> StatusesAsync(
        IReadOnlyList<BudgetDefinition> budgets, IReadOnlyList<ExchangeRate> rates, DateTimeOffset asOf, CancellationToken ct)
    {
        if (budgets.Count == 0)
            return [];
        var periods = budgets.Select(b => b.PeriodAt(asOf)).ToArray();
        var spends = new HourlySpend[budgets.Count];
        for (var i = 0; i < budgets.Count; i++)
        {
            var history = budgets[i].Period == BudgetPeriodKind.Rolling
                ? TimeSpan.FromDays(2 * budgets[i].RollingDays)
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
        var rateCache = new Dictionary<(Currency, Currency, long), decimal?>();
        await using var c = await database.OpenAsync(ct);
        var keyNames = (await c.QueryAsync<(string Account, string KeyId, string? Name)>("SELECT account, key_id, name FROM api_keys"))
            .Where(k => !string.IsNullOrEmpty(k.Name)).ToDictionary(k => (k.Account, k.KeyId), k => k.Name!);
        // Coarse buckets that start before the window still cover part of it, so look back one month for them.
        await using (var reader = await c.ExecuteReaderAsync(new CommandDefinition(
            """
            SELECT account, workspace, key_id, model, currency, bucket_width, bucket_start, cost_micros
            FROM usage_records
            WHERE bucket_start >= @early AND bucket_start < @to AND cost_micros IS NOT NULL
              AND (bucket_start >= @from OR bucket_width IN ('1d', 'month'))
            """,
            new { early = from.AddDays(-31).ToUnixTimeSeconds(), from = from.ToUnixTimeSeconds(), to = asOf.ToUnixTimeSeconds() },
            cancellationToken: ct)))
        {
            var matches = new List<int>();
            while (await reader.ReadAsync(ct))
            {
                // Each series (scope, currency, bucket width) is matched to its budgets once, not once per row.
                var key = new SeriesKey(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5));
                if (!series.TryGetValue(key, out var s))
                {
                    index.Match(key.Account, key.Workspace, key.KeyId, key.Model, matches);
                    series[key] = s = new Series(key, [.. matches]);
                }

                if (s.Budgets.Length == 0)
                    continue;
                var start = DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(6));
                var end = s.Width.EndOf(start);
                var micros = reader.GetInt64(7);
                for (var j = 0; j < s.Budgets.Length; j++)
                {
                    var b = s.Budgets[j];
                    var target = budgets[b].Currency;
                    var rate = s.Currency == target ? 1m : RateAt(rates, rateCache, s.Currency, target, start);
                    var inPeriod = start >= periods[b].Start && start < until[b];
                    if (rate is null)
                    {
                        if (inPeriod)
                            excluded[b][s.Currency] = excluded[b].GetValueOrDefault(s.Currency) + micros;
                        continue;
                    }

                    var value = rate == 1m ? micros : (double)(micros * rate.Value);
                    spends[b].Add(start, end - start, value, end < asOf ? end : asOf);
                    if (inPeriod)
                        s.PeriodMicros[j] += value;
                }
            }
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
        var calendars = new Dictionary<string, LocalCalendar>(StringComparer.Ordinal);
        LocalCalendar CalendarOf(TimeZoneInfo zone) =>
            calendars.TryGetValue(zone.Id, out var calendar) ? calendar : calendars[zone.Id] = new LocalCalendar(zone);
        return
        [
            .. budgets.Select((b, i) => Status(b, periods[i], spends[i], excluded[i], asOf, CalendarOf(b.TimeZone)) with
            {
                TopModels = Top(shares[i], k => k.Model),
                TopKeys = Top(shares[i], KeyLabel),
            }),
        ];
    }

    private const int TopRows = 5;

    private static IReadOnlyList<(string, decimal)> Top(List<(SeriesKey Key, double Micros)> shares, Func<SeriesKey, string> label) =>
    [
        .. shares.GroupBy(s => label(s.Key), StringComparer.Ordinal)
            .Select(g => (g.Key, ToMoney(g.Sum(s => s.Micros))))
            .OrderByDescending(x => x.Item2).ThenBy(x => x.Key, StringComparer.Ordinal).Take(TopRows),
    ];

    private readonly record struct SeriesKey(string Account, string Workspace, string KeyId, string Model, string CurrencyText, string WidthText);

    // One ledger series and the budgets it counts in; PeriodMicros[j] is its spend in budget Budgets[j]'s period.
    private sealed class Series(SeriesKey key, int[] budgets)
    {
        public SeriesKey Key { get; } = key;
        public int[] Budgets { get; } = budgets;
        public double[] PeriodMicros { get; } = new double[budgets.Length];
        public Currency Currency { get; } = Enum.Parse<Currency>(key.CurrencyText);
        public BucketWidth Width { get; } = BucketWidths.TryParse(key.WidthText, out var w) ? w : BucketWidth.Hour;
    }


    private static BudgetStatus Status(
        BudgetDefinition b, BudgetPeriod period, HourlySpend spend, Dictionary<Currency, long> excluded, DateTimeOffset asOf, LocalCalendar calendar)
    {
        // Everything recorded up to now counts, including the bucket of the current hour.
        var until = period.End < HourlySpend.CeilHour(asOf) ? period.End : HourlySpend.CeilHour(asOf);
        var spent = ToMoney(spend.Sum(period.Start, until));
        var projection = b.Forecast && b.Period != BudgetPeriodKind.Rolling ? SpendForecast.Project(spend, period, asOf, calendar) : null;
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
