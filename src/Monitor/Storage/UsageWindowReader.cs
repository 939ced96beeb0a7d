using System.Data.Common;
using System.Runtime.CompilerServices;
using Dapper;

namespace Monitor.Storage;

/// <summary>
/// The one read of "usage of this scope over this window", counted source only, that budgets, lifecycles, anomalies
/// and guard rails share. Whole UTC days come from the daily rollup (<c>usage_daily</c>, kept exact by
/// <see cref="UsageRollup"/>, and holding the counted source only), the partial days at the edges from the hourly ledger
/// (<c>usage_records</c> with <c>counted = 1</c>): see <see cref="UsageWindow"/>. Reads of single buckets (their exact
/// hour, the anomaly series) come from the ledger alone.
/// </summary>
public sealed class UsageWindowReader(Database database)
{
    private const string Tokens = "input_tokens + cached_input_tokens + cache_write_tokens + output_tokens";

    /// <summary>
    /// Usage per account, provider, currency, model, workspace and key in buckets starting in [from, to), plus month
    /// buckets (Mistral's opening balance of a month) that overlap the window. The last bucket stays exact to the hour.
    /// </summary>
    public async Task<IReadOnlyList<UsageSlice>> SlicesAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var w = UsageWindow.Of(from, to);
        var parameters = new DynamicParameters();
        w.AddTo(parameters);
        await using var c = await database.OpenAsync(ct);
        // Month buckets start at 00:00 UTC on the 1st, so the only one before the window's first whole day is at monthFrom.
        // The slice as it is, then (split on LastDay) when it was last seen in the ledger and on a rolled-up day.
        var rows = (await c.QueryAsync<UsageSlice, LastSeen?, (UsageSlice Slice, LastSeen? Seen)>(new CommandDefinition(
            $"""
            SELECT g.account AS Account, g.provider AS Provider, g.currency AS Currency, g.model AS Model, g.workspace AS Workspace,
                   g.key_id AS KeyId, k.name AS KeyName, g.i AS Input, g.ci AS CachedInput, g.cw AS CacheWrite, g.o AS Output,
                   g.r AS Requests, g.cost AS CostMicros, COALESCE(g.last, g.last_day, 0) AS LastBucket,
                   g.last_day AS LastDay, g.last AS LedgerLast
            FROM (SELECT account, provider, currency, model, workspace, key_id, {Sql.Total("i")} AS i, {Sql.Total("ci")} AS ci,
                         {Sql.Total("cw")} AS cw, {Sql.Total("o")} AS o, {Sql.Total("r")} AS r, {Sql.Total("cost")} AS cost,
                         MAX(last) AS last, MAX(last_day) AS last_day
                  FROM (SELECT account, provider, currency, model, workspace, key_id, SUM(input_tokens) AS i, SUM(cached_input_tokens) AS ci,
                               SUM(cache_write_tokens) AS cw, SUM(output_tokens) AS o, SUM(requests) AS r, SUM(cost_micros) AS cost,
                               NULL AS last, MAX(day) AS last_day
                        FROM usage_daily
                        WHERE {UsageWindow.WholeDays(overlappingMonths: true)}
                        GROUP BY account, provider, currency, model, workspace, key_id
                        UNION ALL
                        SELECT account, provider, currency, model, workspace, key_id, SUM(input_tokens), SUM(cached_input_tokens),
                               SUM(cache_write_tokens), SUM(output_tokens), SUM(requests), COALESCE(SUM(cost_micros), 0), MAX(bucket_start), NULL
                        FROM usage_records
                        WHERE {UsageWindow.Edges(overlappingMonths: true)}
                        GROUP BY account, provider, currency, model, workspace, key_id) parts
                  GROUP BY account, provider, currency, model, workspace, key_id) g
            LEFT JOIN api_keys k ON k.account = g.account AND k.key_id = g.key_id
            """, parameters, cancellationToken: ct), (slice, seen) => (slice, seen), splitOn: "LastDay")).ToList();

        // A slice last seen on a rolled-up day: its exact last hour, one query per account and day.
        var exact = new Dictionary<(string, string, string, string, string, string), long>();
        foreach (var (account, day) in rows.Where(r => r.Seen?.NeedsExactLast == true).Select(r => (r.Slice.Account, r.Seen!.LastDay)).Distinct())
        {
            var last = await c.QueryAsync<(string Provider, string Currency, string Model, string Workspace, string KeyId, long Last)>(new CommandDefinition(
                """
                SELECT provider, currency, model, workspace, key_id, MAX(bucket_start) FROM usage_records
                WHERE account = @account AND bucket_start >= @day AND bucket_start < @end AND (bucket_start >= @from OR bucket_width = 'month') AND counted = 1
                GROUP BY provider, currency, model, workspace, key_id
                """, new { account, day, end = day + Sql.Day, from = w.From }, cancellationToken: ct));
            foreach (var l in last)
                exact[(account, l.Provider, l.Currency, l.Model, l.Workspace, l.KeyId)] = l.Last;
        }

        return
        [
            .. rows.Select(r => r.Seen?.NeedsExactLast == true
                ? r.Slice with
                {
                    LastBucket = Math.Max(r.Slice.LastBucket, exact.GetValueOrDefault(
                        (r.Slice.Account, r.Slice.Provider, r.Slice.Currency, r.Slice.Model, r.Slice.Workspace, r.Slice.KeyId), r.Seen.LastDay)),
                }
                : r.Slice),
        ];
    }

    /// <summary>Requests and cost of a scope in buckets starting in [from, to).</summary>
    public async Task<(long Requests, long CostMicros)> TotalAsync(UsageScope scope, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var parameters = Parameters(scope, UsageWindow.Of(from, to));
        await using var c = await database.OpenAsync(ct);
        return await c.QuerySingleAsync<(long, long)>(new CommandDefinition(
            $"""
            SELECT {Sql.Total("r")}, {Sql.Total("cost")}
            FROM (SELECT SUM(requests) AS r, SUM(cost_micros) AS cost FROM usage_daily
                  WHERE {UsageWindow.WholeDays(overlappingMonths: false)}{scope.Sql}
                  UNION ALL
                  SELECT SUM(requests), SUM(cost_micros) FROM usage_records
                  WHERE {UsageWindow.Edges(overlappingMonths: false)}{scope.Sql}) parts
            """, parameters, cancellationToken: ct));
    }

    /// <summary>
    /// A scope's usage in buckets starting in [from, to) per UTC day and model, with its exact first and last bucket;
    /// null when it has none.
    /// </summary>
    public async Task<UsageDays?> DaysAsync(UsageScope scope, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var parameters = Parameters(scope, UsageWindow.Of(from, to));
        await using var c = await database.OpenAsync(ct);
        // Whole days from the rollup, the partial days at both ends from the ledger (with their exact first and last
        // bucket; a rolled-up day gives its midnight and is made exact below).
        var parts = (await c.QueryAsync<(long Day, string Model, string Currency, long Requests, long Cost, long First, long Last, long Exact)>(new CommandDefinition(
            $"""
            SELECT day, model, MIN(currency), {Sql.Total("requests")}, {Sql.Total("cost_micros")}, day, day, 0 FROM usage_daily
            WHERE {UsageWindow.WholeDays(overlappingMonths: false)}{scope.Sql}
            GROUP BY day, model
            UNION ALL
            SELECT {Sql.DayOf("bucket_start")}, model, MIN(currency), {Sql.Total("requests")}, {Sql.Total("cost_micros")},
                   MIN(bucket_start), MAX(bucket_start), 1 FROM usage_records
            WHERE {UsageWindow.Edges(overlappingMonths: false)}{scope.Sql}
            GROUP BY {Sql.DayOf("bucket_start")}, model
            """, parameters, cancellationToken: ct))).ToList();
        if (parts.Count == 0)
            return null;

        var first = parts.MinBy(p => p.First);
        var last = parts.MaxBy(p => p.Last);
        return new UsageDays(
            [.. parts.Select(p => new UsageDay(p.Day, p.Model, p.Currency, p.Requests, p.Cost))],
            first.Exact == 1 ? first.First : await EdgeBucketAsync(c, scope, first.Day, "MIN", ct),
            last.Exact == 1 ? last.Last : await EdgeBucketAsync(c, scope, last.Day, "MAX", ct));
    }

    /// <summary>The first (MIN) or last (MAX) bucket of a scope on one rolled-up UTC day.</summary>
    private static Task<long> EdgeBucketAsync(DbConnection c, UsageScope scope, long day, string edge, CancellationToken ct)
    {
        var parameters = new DynamicParameters(new { day, end = day + Sql.Day });
        scope.AddTo(parameters);
        return c.QuerySingleAsync<long>(new CommandDefinition(
            $"""
            SELECT {edge}(bucket_start) FROM usage_records
            WHERE bucket_start >= @day AND bucket_start < @end{scope.Sql} AND counted = 1
            """, parameters, cancellationToken: ct));
    }

    /// <summary>
    /// Every scope's priced cost buckets, for the budgets: the rollup's days in [<paramref name="daysFrom"/>,
    /// <paramref name="daysTo"/>) except <paramref name="hourlyDays"/>, with month-wide rows from
    /// <paramref name="monthsFrom"/> on (never split into days or hours), all before <paramref name="before"/>; then the
    /// ledger's buckets in each of the <paramref name="hourly"/> ranges.
    /// </summary>
    public async Task CostBucketsAsync(
        long monthsFrom, long daysFrom, long daysTo, long[] hourlyDays, long before, IEnumerable<(long From, long To)> hourly,
        Action<CostBucket> add, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(hourly);
        ArgumentNullException.ThrowIfNull(add);
        await using var c = await database.OpenAsync(ct);
        await ReadAsync(
            $"""
            SELECT account, workspace, key_id, model, currency, CASE WHEN is_month = 1 THEN 'month' ELSE '1d' END, day, cost_micros
            FROM usage_daily
            WHERE day >= @early AND day < @to AND cost_micros <> 0
              AND (is_month = 1 OR (day >= @from AND day < @recent AND {Sql.NotIn(database.Dialect, "day", "@edges")}))
            """,
            new { early = monthsFrom, from = daysFrom, recent = daysTo, to = before, edges = hourlyDays });
        foreach (var (a, b) in hourly)
        {
            await ReadAsync(
                """
                SELECT account, workspace, key_id, model, currency, bucket_width, bucket_start, cost_micros
                FROM usage_records
                WHERE bucket_start >= @a AND bucket_start < @b AND bucket_width <> 'month' AND cost_micros IS NOT NULL AND counted = 1
                """,
                new { a, b });
        }

        async Task ReadAsync(string sql, object args)
        {
            await using var reader = await c.ExecuteReaderAsync(new CommandDefinition(sql, args, cancellationToken: ct));
            while (await reader.ReadAsync(ct))
            {
                add(new CostBucket(
                    reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                    reader.GetInt64(6), reader.GetInt64(7)));
            }
        }
    }

    /// <summary>
    /// A scope's ledger buckets of width 1h, 1m or 1d starting in [<paramref name="from"/>, <paramref name="before"/>),
    /// streamed by account and time (the primary key's order) for the anomaly series. The row is read in place: valid
    /// until the next one.
    /// </summary>
    public async IAsyncEnumerable<LedgerBucket> BucketsAsync(
        UsageScope scope, long? from, long before, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var parameters = new DynamicParameters(new { from, before });
        scope.AddTo(parameters);
        await using var c = await database.OpenAsync(ct);
        await using var reader = await c.ExecuteReaderAsync(new CommandDefinition(
            $"""
            SELECT account, workspace, key_id, model, bucket_start, {Sql.Flag("bucket_width = '1d'")}, provider, currency, cost_micros,
                   {Tokens}, requests, ingested_at
            FROM usage_records
            WHERE counted = 1{scope.Sql}{(from is null ? "" : " AND bucket_start >= @from")} AND bucket_start < @before
              AND bucket_width IN ('1h', '1m', '1d')
            ORDER BY account, bucket_start
            """, parameters, cancellationToken: ct));
        var row = new LedgerBucket(reader);
        while (await reader.ReadAsync(ct))
            yield return row;
    }

    /// <summary>A scope's costliest models (up to <paramref name="limit"/>) in buckets of one width starting in [from, through].</summary>
    public async Task<IReadOnlyList<(string Model, long CostMicros)>> TopModelsAsync(
        UsageScope scope, long from, long through, string width, int limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var parameters = new DynamicParameters(new { from, through, width, limit });
        scope.AddTo(parameters);
        await using var c = await database.OpenAsync(ct);
        return [.. await c.QueryAsync<(string, long)>(new CommandDefinition(
            $"""
            SELECT model, {Sql.Total("cost_micros")} FROM usage_records
            WHERE bucket_start >= @from AND bucket_start <= @through AND bucket_width = @width AND counted = 1{scope.Sql}
            GROUP BY model ORDER BY 2 DESC, model LIMIT @limit
            """, parameters, cancellationToken: ct))];
    }

    /// <summary>A scope's cost in one currency in buckets starting in [from, to), leaving out one usage category.</summary>
    public async Task<long> CostAsync(UsageScope scope, string currency, DateTimeOffset from, DateTimeOffset to, string exceptCategory, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var parameters = new DynamicParameters(new { currency, from = from.ToUnixTimeSeconds(), to = to.ToUnixTimeSeconds(), exceptCategory });
        scope.AddTo(parameters);
        await using var c = await database.OpenAsync(ct);
        return await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            $"""
            SELECT {Sql.Total("cost_micros")} FROM usage_records
            WHERE currency = @currency AND bucket_start >= @from AND bucket_start < @to AND category <> @exceptCategory AND counted = 1{scope.Sql}
            """, parameters, cancellationToken: ct)) ?? 0;
    }

    private static DynamicParameters Parameters(UsageScope scope, UsageWindow window)
    {
        var parameters = new DynamicParameters();
        scope.AddTo(parameters);
        window.AddTo(parameters);
        return parameters;
    }

    /// <summary>When a slice was last seen: its last rolled-up day (the hour not known yet) and its last ledger bucket read.</summary>
    private sealed record LastSeen
    {
        public long LastDay { get; init; }
        public long? LedgerLast { get; init; }

        /// <summary>Its last bucket may lie on the rolled-up day, after every ledger bucket read.</summary>
        public bool NeedsExactLast => LedgerLast is not { } b || b < LastDay + Sql.Day;
    }
}
