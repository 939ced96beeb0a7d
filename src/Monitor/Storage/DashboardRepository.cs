using Dapper;
using Monitor.Core.Usage;

namespace Monitor.Storage;

/// <summary>
/// The dashboard's reads of the ledger. Totals come from <c>usage_daily</c>, the daily rollup that every ledger write
/// keeps exact in its own transaction (<see cref="UsageRollup"/>): windows are whole UTC days, so a day's row is all of
/// it; like the rollup, every read counts each account's counted usage source only (<c>counted = 1</c>), and the other
/// source is read apart (<see cref="UsageSourceRepository"/>). Reads of usage are kept in <paramref name="cache"/>
/// (when given) until the next ledger write.
/// Plain SQL that runs on SQLite and PostgreSQL: times are Unix seconds; sums are cast to BIGINT so both return
/// 64-bit integers. Group columns come from a closed switch (never from input); every value is a parameter.
/// </summary>
public sealed class DashboardRepository(Database database, LedgerReadCache? cache = null)
{
    // The reads of both usage sources live with the rest of that concern; no clock is involved in them.
    private readonly UsageSourceRepository _sources = new(database, TimeProvider.System);

    /// <summary>The token categories in billing order; reasoning is part of output and never added.</summary>
    public static IReadOnlyList<string> TokenCategoryLabels { get; } =
        ["input (uncached)", "cached input", "cache write", "output (incl. reasoning)"];

    private const string TokensExpression = "input_tokens + cached_input_tokens + cache_write_tokens + output_tokens";

    /// <summary>
    /// A group's totals over [from, to), largest first. Cost: one row per (group, currency), priced rows summed and
    /// unpriced rows counted apart. Tokens and requests: one row per group.
    /// </summary>
    public async Task<IReadOnlyList<GroupTotal>> TotalsAsync(
        PanelMetric metric, PanelGrouping grouping, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var rows = await CachedAsync((nameof(TotalsAsync), metric, grouping, from, to), () => GroupTotalsAsync(metric, grouping, from, to, ct), ct);
        if (grouping != PanelGrouping.Key)
            return rows;
        var names = await KeyNamesAsync(ct);
        return [.. rows.Select(r => names.TryGetValue(r.Label, out var name) ? r with { Name = name } : r)];
    }

    /// <summary>Key names from <c>api_keys</c> by key id (a key id is the provider's, unique across accounts in practice).</summary>
    public async Task<IReadOnlyDictionary<string, string>> KeyNamesAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<(string KeyId, string Name)>(new CommandDefinition(
            "SELECT key_id, MAX(name) FROM api_keys WHERE name IS NOT NULL AND name <> '' GROUP BY key_id", cancellationToken: ct));
        return rows.ToDictionary(r => r.KeyId, r => r.Name, StringComparer.Ordinal);
    }

    private async Task<IReadOnlyList<GroupTotal>> GroupTotalsAsync(
        PanelMetric metric, PanelGrouping grouping, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var range = new { from = from.ToUnixTimeSeconds(), to = to.ToUnixTimeSeconds() };
        await using var connection = await database.OpenAsync(ct);

        if (grouping == PanelGrouping.TokenCategory)
        {
            var sums = await connection.QuerySingleAsync<TokenSums>(new CommandDefinition(
                """
                SELECT CAST(COALESCE(SUM(input_tokens), 0) AS BIGINT) AS Input,
                       CAST(COALESCE(SUM(cached_input_tokens), 0) AS BIGINT) AS CachedInput,
                       CAST(COALESCE(SUM(cache_write_tokens), 0) AS BIGINT) AS CacheWrite,
                       CAST(COALESCE(SUM(output_tokens), 0) AS BIGINT) AS Output
                FROM usage_daily
                WHERE day >= @from AND day < @to
                """, range, cancellationToken: ct));
            return [.. sums.Split(0).Select(d => new GroupTotal { Label = d.Label, Value = d.Value })];
        }

        var (label, detail) = Columns(grouping);
        if (metric == PanelMetric.Cost)
        {
            var rows = await connection.QueryAsync<GroupTotal>(new CommandDefinition(
                $"""
                SELECT {label} AS Label, {detail} AS Detail, currency AS Currency,
                       CAST(COALESCE(SUM(cost_micros), 0) AS BIGINT) AS Value,
                       CAST(SUM(priced_buckets) AS BIGINT) AS PricedBuckets,
                       CAST(SUM(buckets - priced_buckets) AS BIGINT) AS UnpricedBuckets,
                       CAST(SUM(requests) AS BIGINT) AS Requests
                FROM usage_daily
                WHERE day >= @from AND day < @to
                GROUP BY {label}, currency
                """, range, cancellationToken: ct));
            return [.. rows.OrderBy(r => r.Currency, StringComparer.Ordinal).ThenByDescending(r => r.Value)
                .ThenByDescending(r => r.UnpricedBuckets).ThenBy(r => r.Label, StringComparer.Ordinal)];
        }

        var value = metric == PanelMetric.Tokens ? TokensExpression : "requests";
        var totals = await connection.QueryAsync<GroupTotal>(new CommandDefinition(
            $"""
            SELECT {label} AS Label, {detail} AS Detail,
                   CAST(SUM({value}) AS BIGINT) AS Value,
                   CAST(SUM(requests) AS BIGINT) AS Requests
            FROM usage_daily
            WHERE day >= @from AND day < @to
            GROUP BY {label}
            """, range, cancellationToken: ct));
        return [.. totals.OrderByDescending(r => r.Value).ThenBy(r => r.Label, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Per UTC day and group over [from, to). For cost only the priced rows of <paramref name="currency"/> count
    /// (money is never added across currencies); for other metrics <paramref name="currency"/> is ignored.
    /// </summary>
    /// <param name="filter">A drill-down's account, key or model; <see cref="DrillFilter.None"/> for all.</param>
    public Task<IReadOnlyList<DailyValue>> DailyAsync(
        PanelMetric metric, PanelGrouping grouping, DateTimeOffset from, DateTimeOffset to, string? currency, DrillFilter filter, CancellationToken ct) =>
        CachedAsync((nameof(DailyAsync), metric, grouping, from, to, currency, filter), () => ReadDailyAsync(metric, grouping, from, to, currency, filter, ct), ct);

    private async Task<IReadOnlyList<DailyValue>> ReadDailyAsync(
        PanelMetric metric, PanelGrouping grouping, DateTimeOffset from, DateTimeOffset to, string? currency, DrillFilter filter, CancellationToken ct)
    {
        // Month-wide buckets (Mistral's monthly usage) are read from the month that contains `from`, then spread.
        var monthFrom = new DateTimeOffset(from.UtcDateTime.Year, from.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var parameters = new DynamicParameters(new { from = from.ToUnixTimeSeconds(), to = to.ToUnixTimeSeconds(), monthFrom = monthFrom.ToUnixTimeSeconds(), currency });
        filter.Scope.AddTo(parameters);
        await using var connection = await database.OpenAsync(ct);

        if (grouping == PanelGrouping.TokenCategory)
        {
            var days = await connection.QueryAsync<TokenSums>(new CommandDefinition(
                $"""
                SELECT day AS Day, is_month AS Month,
                       CAST(SUM(input_tokens) AS BIGINT) AS Input,
                       CAST(SUM(cached_input_tokens) AS BIGINT) AS CachedInput,
                       CAST(SUM(cache_write_tokens) AS BIGINT) AS CacheWrite,
                       CAST(SUM(output_tokens) AS BIGINT) AS Output
                FROM usage_daily
                WHERE {InWindow}{filter.Scope.Sql}
                GROUP BY day, is_month
                ORDER BY Day
                """, parameters, cancellationToken: ct));
            return SpreadMonths(days.SelectMany(d => d.Split(d.Day).Select(v => (v, d.Month == 1))), from, to);
        }

        var (label, _) = Columns(grouping);
        var (value, condition) = metric switch
        {
            PanelMetric.Cost => ("cost_micros", "AND priced_buckets > 0 AND currency = @currency"),
            PanelMetric.Tokens => (TokensExpression, ""),
            _ => ("requests", ""),
        };
        var rows = await connection.QueryAsync<DailyRow>(new CommandDefinition(
            $"""
            SELECT day AS Day, is_month AS Month, {label} AS Label, CAST(SUM({value}) AS BIGINT) AS Value
            FROM usage_daily
            WHERE {InWindow} {condition}{filter.Scope.Sql}
            GROUP BY day, is_month, {label}
            ORDER BY Day
            """, parameters, cancellationToken: ct));
        return SpreadMonths(rows.Select(r => (new DailyValue { Day = r.Day, Label = r.Label, Value = r.Value }, r.Month == 1)), from, to);
    }

    private const string InWindow = "day < @to AND (day >= @from OR (is_month = 1 AND day >= @monthFrom))";

    /// <summary>
    /// A month-wide bucket has no day of its own: its value is spread evenly over the days of its month that fall
    /// before <paramref name="to"/>, so a daily chart shows the month's daily rate instead of one tall bar on the 1st.
    /// Days outside [from, to) are then dropped; other buckets pass through.
    /// </summary>
    private static List<DailyValue> SpreadMonths(IEnumerable<(DailyValue Value, bool Month)> rows, DateTimeOffset from, DateTimeOffset to)
    {
        const long Day = 86_400;
        var totals = new Dictionary<(long Day, string Label), long>();
        foreach (var (row, month) in rows)
        {
            if (!month)
            {
                totals[(row.Day, row.Label)] = totals.GetValueOrDefault((row.Day, row.Label)) + row.Value;
                continue;
            }

            var start = DateTimeOffset.FromUnixTimeSeconds(row.Day);
            var end = Math.Min(start.AddMonths(1).ToUnixTimeSeconds(), to.ToUnixTimeSeconds());
            var days = Math.Max(1, (end - row.Day + Day - 1) / Day);
            for (var i = 0; i < days; i++)
            {
                var share = row.Value / days + (i < row.Value % days ? 1 : 0);
                var key = (row.Day + (i * Day), row.Label);
                totals[key] = totals.GetValueOrDefault(key) + share;
            }
        }

        var first = from.ToUnixTimeSeconds();
        var last = to.ToUnixTimeSeconds();
        return [.. totals.Where(t => t.Key.Day >= first && t.Key.Day < last)
            .Select(t => new DailyValue { Day = t.Key.Day, Label = t.Key.Label, Value = t.Value })
            .OrderBy(v => v.Day).ThenBy(v => v.Label, StringComparer.Ordinal)];
    }

    private sealed record DailyRow
    {
        public long Day { get; init; }
        public long Month { get; init; }
        public string Label { get; init; } = "";
        public long Value { get; init; }
    }

    /// <summary>The currencies with priced cost in [from, to): one cost chart each.</summary>
    public Task<IReadOnlyList<string>> CostCurrenciesAsync(DateTimeOffset from, DateTimeOffset to, DrillFilter filter, CancellationToken ct) =>
        CachedAsync((nameof(CostCurrenciesAsync), from, to, filter), () => ReadCostCurrenciesAsync(from, to, filter, ct), ct);

    private async Task<IReadOnlyList<string>> ReadCostCurrenciesAsync(DateTimeOffset from, DateTimeOffset to, DrillFilter filter, CancellationToken ct)
    {
        var parameters = new DynamicParameters(new { from = from.ToUnixTimeSeconds(), to = to.ToUnixTimeSeconds() });
        filter.Scope.AddTo(parameters);
        await using var connection = await database.OpenAsync(ct);
        // ledger_currencies walks ix_usage_daily_currency one currency at a time; each then needs one priced row in the
        // range, found on the same index, instead of every row of the range being read.
        var currencies = await connection.QueryAsync<string>(new CommandDefinition(
            $"""
            WITH RECURSIVE ledger_currencies (currency) AS (
                SELECT MIN(currency) FROM usage_daily
                UNION ALL
                SELECT (SELECT MIN(u.currency) FROM usage_daily u WHERE u.currency > l.currency) FROM ledger_currencies l WHERE l.currency IS NOT NULL
            )
            SELECT l.currency
            FROM ledger_currencies l
            WHERE l.currency IS NOT NULL AND EXISTS (
                SELECT 1 FROM usage_daily
                WHERE currency = l.currency AND day >= @from AND day < @to AND priced_buckets > 0{filter.Scope.Sql})
            ORDER BY l.currency
            """, parameters, cancellationToken: ct));
        return [.. currencies];
    }

    /// <summary>True when the ledger has any usage of the filter's account, key or model.</summary>
    public async Task<bool> ExistsAsync(DrillFilter filter, CancellationToken ct)
    {
        var parameters = new DynamicParameters();
        filter.Scope.AddTo(parameters);
        await using var connection = await database.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            $"SELECT 1 FROM usage_daily WHERE 1 = 1{filter.Scope.Sql} LIMIT 1", parameters, cancellationToken: ct)) == 1;
    }

    /// <summary>A drill-down's table: per UTC day, account, model and key over [from, to), newest day first.</summary>
    public async Task<IReadOnlyList<DrillRow>> DrillRowsAsync(DrillFilter filter, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var parameters = new DynamicParameters(new { from = from.ToUnixTimeSeconds(), to = to.ToUnixTimeSeconds() });
        filter.Scope.AddTo(parameters);
        var names = await KeyNamesAsync(ct);
        var rows = await CachedAsync((nameof(DrillRowsAsync), from, to, filter), () => ReadDrillRowsAsync(parameters, filter, ct), ct);
        return [.. rows.Select(r => names.TryGetValue(r.KeyId, out var name) ? r with { KeyName = name } : r)];
    }

    private async Task<IReadOnlyList<DrillRow>> ReadDrillRowsAsync(DynamicParameters parameters, DrillFilter filter, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<DrillRow>(new CommandDefinition(
            $"""
            SELECT day AS Day, account AS Account, model AS Model, key_id AS KeyId, currency AS Currency,
                   CAST(SUM(cost_micros) AS BIGINT) AS CostMicros, CAST(SUM(buckets - priced_buckets) AS BIGINT) AS UnpricedBuckets,
                   CAST(SUM(requests) AS BIGINT) AS Requests, CAST(SUM({TokensExpression}) AS BIGINT) AS Tokens
            FROM usage_daily
            WHERE day >= @from AND day < @to{filter.Scope.Sql}
            GROUP BY day, account, model, key_id, currency
            ORDER BY day DESC, account, model, key_id, currency
            """, parameters, cancellationToken: ct));
        return [.. rows];
    }

    /// <summary>Reported against estimated cost per account and currency over [from, to) (see <see cref="ReconciliationGap"/>).</summary>
    public Task<IReadOnlyList<ReconciliationGap>> ReconciliationAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        CachedAsync((nameof(ReconciliationAsync), from, to), () => ReadReconciliationAsync(from, to, ct), ct);

    private async Task<IReadOnlyList<ReconciliationGap>> ReadReconciliationAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<ReconciliationGap>(new CommandDefinition(
            """
            SELECT account AS Account, currency AS Currency,
                   CAST(SUM(reported_micros) AS BIGINT) AS ReportedMicros, CAST(SUM(estimated_micros) AS BIGINT) AS EstimatedMicros
            FROM usage_daily
            WHERE day >= @from AND day < @to
            GROUP BY account, currency
            HAVING SUM(reported_micros) <> 0 OR SUM(estimated_micros) <> 0
            ORDER BY account, currency
            """, new { from = from.ToUnixTimeSeconds(), to = to.ToUnixTimeSeconds() }, cancellationToken: ct));
        return [.. rows];
    }

    /// <summary>Every account the ledger knows (from pulls or usage) with its last good and last failed pull.</summary>
    public async Task<IReadOnlyList<AccountFreshness>> FreshnessAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        // ledger_accounts walks the primary key (account first) one account at a time instead of reading every record; it
        // lists accounts with rows of either usage source, while how far the data reaches is the counted source's.
        var rows = await connection.QueryAsync<AccountFreshness>(new CommandDefinition(
            """
            WITH RECURSIVE ledger_accounts (account) AS (
                SELECT MIN(account) FROM usage_records
                UNION ALL
                SELECT (SELECT MIN(u.account) FROM usage_records u WHERE u.account > l.account) FROM ledger_accounts l WHERE l.account IS NOT NULL
            )
            SELECT a.account AS Account,
                   (SELECT MAX(p.started_at) FROM pull_runs p WHERE p.account = a.account AND p.outcome = 'ok') AS LastOkAt,
                   (SELECT MAX(p.started_at) FROM pull_runs p WHERE p.account = a.account AND p.outcome = 'failed') AS LastFailedAt,
                   (SELECT p.error FROM pull_runs p WHERE p.account = a.account AND p.outcome = 'failed'
                    ORDER BY p.started_at DESC, p.id DESC LIMIT 1) AS LastError,
                   (SELECT CASE WHEN e.bucket_end < e.ingested_at THEN e.bucket_end ELSE e.ingested_at END
                    FROM (SELECT CASE u.bucket_width WHEN '1m' THEN u.bucket_start + 60 WHEN '1h' THEN u.bucket_start + 3600
                                      WHEN '1d' THEN u.bucket_start + 86400 ELSE u.ingested_at END AS bucket_end, u.ingested_at
                          FROM usage_records u WHERE u.account = a.account AND u.counted = 1
                          ORDER BY u.bucket_start DESC, u.ingested_at DESC LIMIT 1) e) AS LastBucketAt,
                   (SELECT d.endpoint || ' ' || d.path || ': ' || d.problem FROM provider_drift d WHERE d.account = a.account
                    ORDER BY d.last_seen_at DESC LIMIT 1) AS LastDrift,
                   (SELECT MAX(d.last_seen_at) FROM provider_drift d WHERE d.account = a.account) AS LastDriftAt
            FROM (SELECT account FROM pull_runs UNION SELECT account FROM ledger_accounts WHERE account IS NOT NULL) a
            ORDER BY a.account
            """, cancellationToken: ct));
        return [.. rows];
    }

    public async Task<IReadOnlyList<SpendLimitRow>> SpendLimitsAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<SpendLimitRow>(new CommandDefinition(
            """
            SELECT account AS Account, currency AS Currency, usage_micros AS UsageMicros, limit_micros AS LimitMicros,
                   limit_reached AS LimitReached, payment_failure AS PaymentFailure, fetched_at AS FetchedAt
            FROM spend_limits
            ORDER BY account
            """, cancellationToken: ct));
        return [.. rows];
    }

    /// <summary>Models with usage but no cost in [from, to): shown as unpriced, never as zero.</summary>
    public Task<IReadOnlyList<UnpricedModel>> UnpricedModelsAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        CachedAsync((nameof(UnpricedModelsAsync), from, to), () => ReadUnpricedModelsAsync(from, to, ct), ct);

    private async Task<IReadOnlyList<UnpricedModel>> ReadUnpricedModelsAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<UnpricedModel>(new CommandDefinition(
            $"""
            SELECT account AS Account, model AS Model, currency AS Currency, COUNT(*) AS Buckets,
                   CAST(SUM(requests) AS BIGINT) AS Requests, CAST(SUM({TokensExpression}) AS BIGINT) AS Tokens
            FROM usage_records
            WHERE bucket_start >= @from AND bucket_start < @to AND cost_micros IS NULL AND counted = 1
            GROUP BY account, model, currency
            ORDER BY account, model, currency
            """, new { from = from.ToUnixTimeSeconds(), to = to.ToUnixTimeSeconds() }, cancellationToken: ct));
        return [.. rows];
    }

    /// <summary>Per account with two usage sources: the counted one and the other over [from, to), read apart and never added.</summary>
    public Task<IReadOnlyList<SourceTotals>> UsageSourcesAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        CachedAsync((nameof(UsageSourcesAsync), from, to), () => _sources.TotalsAsync(from, to, ct), ct);

    /// <summary>The completed days of accounts with both sources in [from, to), compared (see <see cref="UnmeteredUsage"/>).</summary>
    public Task<IReadOnlyList<UnmeteredDay>> UnmeteredAsync(
        DateTimeOffset from, DateTimeOffset to, DateTimeOffset now, TimeSpan settle, UnmeteredRules rules, CancellationToken ct) =>
        // Only the last completed day depends on now: the cache keeps one entry per such day.
        CachedAsync((nameof(UnmeteredAsync), from, to, UsageRollup.DayOf((now - settle).ToUnixTimeSeconds()), settle, rules),
            () => _sources.UnmeteredDaysAsync(from, to, now, settle, rules, ct), ct);

    private Task<T> CachedAsync<T>(object key, Func<Task<T>> read, CancellationToken ct)
        where T : class =>
        cache is null ? read() : cache.GetOrReadAsync(key, read, ct);

    /// <summary>True when the database answers a trivial query.</summary>
    public async Task<bool> PingAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT 1", cancellationToken: ct)) == 1;
    }

    /// <summary>The group column and a secondary column shown beside it in tables (a constant from this switch only).</summary>
    private static (string Label, string Detail) Columns(PanelGrouping grouping) => grouping switch
    {
        PanelGrouping.Provider => ("provider", "NULL"),
        PanelGrouping.Account => ("account", "MAX(provider)"),
        PanelGrouping.Workspace => ("workspace", "NULL"),
        PanelGrouping.Key => ("key_id", "MAX(key_fingerprint)"),
        PanelGrouping.Model => ("model", "NULL"),
        _ => throw new ArgumentOutOfRangeException(nameof(grouping), grouping, "token_category has its own query"),
    };

    private sealed record TokenSums
    {
        public long Day { get; init; }
        public long Month { get; init; }
        public long Input { get; init; }
        public long CachedInput { get; init; }
        public long CacheWrite { get; init; }
        public long Output { get; init; }

        public IEnumerable<DailyValue> Split(long day)
        {
            long[] values = [Input, CachedInput, CacheWrite, Output];
            for (var i = 0; i < values.Length; i++)
                yield return new DailyValue { Day = day, Label = TokenCategoryLabels[i], Value = values[i] };
        }
    }
}
