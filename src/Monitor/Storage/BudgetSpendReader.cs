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
        await using var c = await database.OpenAsync(ct);
        // Coarse buckets that start before the window still cover part of it, so look back one month for them.
        await using var reader = await c.ExecuteReaderAsync(new CommandDefinition(
            """
            SELECT account, workspace, key_id, model, currency, bucket_start, bucket_width, cost_micros
            FROM usage_records
            WHERE bucket_start >= @early AND bucket_start < @to AND cost_micros IS NOT NULL
              AND (bucket_start >= @from OR bucket_width IN ('1d', 'month'))
            """,
            new { early = from.AddDays(-31).ToUnixTimeSeconds(), from = from.ToUnixTimeSeconds(), to = asOf.ToUnixTimeSeconds() },
            cancellationToken: ct));
        var matches = new List<int>();
        var rateCache = new Dictionary<(Currency, Currency, long), decimal?>();
        while (await reader.ReadAsync(ct))
        {
            index.Match(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), matches);
            if (matches.Count == 0)
                continue;
            var currency = Enum.Parse<Currency>(reader.GetString(4));
            var start = DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(5));
            var width = BucketWidths.TryParse(reader.GetString(6), out var w) ? w : BucketWidth.Hour;
            var micros = reader.GetInt64(7);
            foreach (var b in matches)
            {
                var target = budgets[b].Currency;
                var rate = currency == target ? 1m : RateAt(rates, rateCache, currency, target, start);
                if (rate is null)
                {
                    if (start >= periods[b].Start)
                        excluded[b][currency] = excluded[b].GetValueOrDefault(currency) + micros;
                    continue;
                }

                var end = width.EndOf(start);
                spends[b].Add(start, end - start, rate == 1m ? micros : (double)(micros * rate.Value), end < asOf ? end : asOf);
            }
        }

        return [.. budgets.Select((b, i) => Status(b, periods[i], spends[i], excluded[i], asOf))];
    }

    private static BudgetStatus Status(BudgetDefinition b, BudgetPeriod period, HourlySpend spend, Dictionary<Currency, long> excluded, DateTimeOffset asOf)
    {
        // Everything recorded up to now counts, including the bucket of the current hour.
        var until = period.End < HourlySpend.CeilHour(asOf) ? period.End : HourlySpend.CeilHour(asOf);
        var spent = ToMoney(spend.Sum(period.Start, until));
        var projection = b.Forecast && b.Period != BudgetPeriodKind.Rolling ? SpendForecast.Project(spend, period, asOf, b.TimeZone) : null;
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

    /// <summary>The models and keys that carry a scope's spend in [from, to), largest first (for the alert mail).</summary>
    public async Task<(IReadOnlyList<(string Model, decimal Amount)> Models, IReadOnlyList<(string Key, decimal Amount)> Keys)> TopAsync(
        BudgetDefinition b, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var rows = (await c.QueryAsync<(string Model, string KeyId, string? Name, long Micros)>(new CommandDefinition(
            """
            SELECT u.model, u.key_id, k.name, SUM(u.cost_micros)
            FROM usage_records u LEFT JOIN api_keys k ON k.account = u.account AND k.key_id = u.key_id
            WHERE u.bucket_start >= @from AND u.bucket_start < @to AND u.currency = @currency AND u.cost_micros IS NOT NULL
            """ + Predicates(b.Scope) + "\n" + """
            GROUP BY u.model, u.key_id, k.name
            """,
            new
            {
                from = from.ToUnixTimeSeconds(), to = to.ToUnixTimeSeconds(), currency = b.Currency.ToString(),
                account = b.Scope.Account, workspace = b.Scope.Workspace, keyId = b.Scope.KeyId, model = b.Scope.Model,
            },
            cancellationToken: ct))).ToList();
        var models = rows.GroupBy(r => r.Model).Select(g => (g.Key, MoneyUnits.FromMicros(g.Sum(r => r.Micros))))
            .OrderByDescending(m => m.Item2).Take(limit).ToList();
        var keys = rows.GroupBy(r => (r.KeyId, r.Name))
            .Select(g => (Label(g.Key.KeyId, g.Key.Name), MoneyUnits.FromMicros(g.Sum(r => r.Micros))))
            .OrderByDescending(k => k.Item2).Take(limit).ToList();
        return (models, keys);
    }

    // Only the fields the scope names: "(@x IS NULL OR u.x = @x)" would keep SQLite from using the primary key.
    private static string Predicates(BudgetScope scope) =>
        (scope.Account is null ? "" : " AND u.account = @account") + (scope.Workspace is null ? "" : " AND u.workspace = @workspace")
        + (scope.KeyId is null ? "" : " AND u.key_id = @keyId") + (scope.Model is null ? "" : " AND u.model = @model");

    private static string Label(string keyId, string? name) =>
        keyId.Length == 0 ? "(no key)" : string.IsNullOrEmpty(name) || name == keyId ? keyId : $"{name} ({keyId})";

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
