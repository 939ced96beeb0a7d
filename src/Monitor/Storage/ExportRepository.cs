using System.Runtime.CompilerServices;
using Dapper;
using Monitor.Core.Usage;

namespace Monitor.Storage;

/// <summary>
/// What <c>monitor export</c> reads: tables streamed row by row as the database returns them (any size; times in Unix
/// seconds, money in micro-units), and the grouped reads of the model and reconciliation exports. Windows are
/// [from, to) in Unix seconds.
/// </summary>
public sealed class ExportRepository(Database database)
{
    /// <summary>Every ledger record (both usage sources) in the window, in a stable order.</summary>
    public IAsyncEnumerable<object?[]> UsageAsync(long from, long to, CancellationToken ct) => RowsAsync(
        """
        SELECT bucket_start, bucket_width, provider, account, workspace, key_id, key_fingerprint, model,
               input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, requests,
               cost_micros, currency, cost_source, estimated_cost_micros, source, ingested_at, category, units, unit, counted
        FROM usage_records
        WHERE bucket_start >= @from AND bucket_start < @to
        ORDER BY bucket_start, account, bucket_width, workspace, key_id, model, category
        """, from, to, ct);

    /// <summary>
    /// The counted records (each account's counted usage source, as budgets and the dashboard count them) in the window,
    /// streamed in a stable order, for the FOCUS export.
    /// </summary>
    public async IAsyncEnumerable<CountedUsageRow> CountedUsageAsync(long from, long to, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = connection.QueryUnbufferedAsync<CountedUsageRow>(
            """
            SELECT account AS Account, provider AS Provider, workspace AS Workspace, key_id AS KeyId, key_fingerprint AS KeyFingerprint,
                   model AS Model, category AS Category, bucket_start AS BucketStart, bucket_width AS BucketWidth,
                   input_tokens AS InputTokens, cached_input_tokens AS CachedInputTokens, cache_write_tokens AS CacheWriteTokens,
                   output_tokens AS OutputTokens, reasoning_tokens AS ReasoningTokens, requests AS Requests, units AS Units, unit AS Unit,
                   cost_micros AS CostMicros, currency AS Currency, cost_source AS CostSource, estimated_cost_micros AS EstimatedCostMicros,
                   source AS Source
            FROM usage_records
            WHERE counted = 1 AND bucket_start >= @from AND bucket_start < @to
            ORDER BY bucket_start, account, bucket_width, workspace, key_id, model, category
            """, new { from, to });
        await foreach (var row in rows.WithCancellation(ct))
            yield return row;
    }

    public IAsyncEnumerable<object?[]> AlertsAsync(long from, long to, CancellationToken ct) => RowsAsync(
        """
        SELECT id, kind, severity, status, account, workspace, key_id, model, title, detail, raised_at, sent_at, dedup_key
        FROM alerts WHERE raised_at >= @from AND raised_at < @to ORDER BY raised_at, id
        """, from, to, ct);

    public IAsyncEnumerable<object?[]> KeysAsync(CancellationToken ct) => RowsAsync(
        """
        SELECT account, key_id, name, kind, workspace, fingerprint, last_four, owner, status,
               created_at, expires_at, last_used_at, first_seen_at, last_seen_at, source
        FROM api_keys ORDER BY account, key_id
        """, long.MinValue, long.MaxValue, ct);

    public IAsyncEnumerable<object?[]> RunsAsync(long from, long to, CancellationToken ct) => RowsAsync(
        """
        SELECT id, account, endpoint, window_start, window_end, records, started_at, duration_ms, outcome, error
        FROM pull_runs WHERE started_at >= @from AND started_at < @to ORDER BY started_at, id
        """, from, to, ct);

    /// <summary>Every model a provider lists or the counted usage has used, with that usage (none: null counts).</summary>
    public async Task<IReadOnlyList<ExportedModel>> ModelsAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return [.. await connection.QueryAsync<ExportedModel>(new CommandDefinition(
            """
            SELECT m.account AS Account, m.provider AS Provider, m.model AS Model, m.aliases AS Aliases, m.shutdown_at AS ShutdownAt,
                   m.replacement AS Replacement, u.records AS UsageRecords, u.last_used AS LastUsedAt, u.currency AS Currency
            FROM models m
            LEFT JOIN (SELECT account, model, currency, COUNT(*) AS records, MAX(bucket_start) AS last_used
                       FROM usage_records WHERE counted = 1 GROUP BY account, model, currency) u
                   ON u.account = m.account AND u.model = m.model
            UNION ALL
            SELECT u.account, u.provider, u.model, '' AS aliases, NULL AS shutdown_at, NULL AS replacement,
                   COUNT(*) AS usage_records, MAX(u.bucket_start) AS last_used_at, u.currency
            FROM usage_records u
            WHERE u.counted = 1 AND NOT EXISTS (SELECT 1 FROM models m WHERE m.account = u.account AND m.model = u.model)
            GROUP BY u.account, u.provider, u.model, u.currency
            ORDER BY 1, 3
            """, cancellationToken: ct))];
    }

    /// <summary>Reported cost beside the catalog's estimate per UTC day, account, provider, model and currency (counted records with a reported cost).</summary>
    public async Task<IReadOnlyList<(long Day, string Account, string Provider, string Model, string Currency, string Slice, long Reported, long? ReportedPriced, long? Estimated, long Records, long Unestimated)>> ReportedAgainstEstimatedAsync(
        long from, long to, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        // The slice keeps apart what no key, model or workspace explains, and BYOK upstream cost, from ordinary usage.
        const string slice = """
            CASE WHEN key_id = @unattributed OR model = @unattributed THEN 'unattributed'
                 WHEN workspace = @outside THEN 'outside workspaces'
                 WHEN category = 'byok' THEN 'byok'
                 ELSE '' END
            """;
        return [.. await connection.QueryAsync<(long, string, string, string, string, string, long, long?, long?, long, long)>(new CommandDefinition(
            $"""
            SELECT {Sql.DayOf("bucket_start")}, account, provider, model, currency, {slice},
                   {Sql.Total("cost_micros")},
                   CAST(SUM(CASE WHEN estimated_cost_micros IS NOT NULL THEN cost_micros END) AS BIGINT),
                   CAST(SUM(estimated_cost_micros) AS BIGINT),
                   COUNT(*),
                   {Sql.Total("CASE WHEN estimated_cost_micros IS NULL THEN 1 ELSE 0 END")}
            FROM usage_records
            WHERE cost_source = 'reported' AND bucket_start >= @from AND bucket_start < @to AND counted = 1
            GROUP BY 1, 2, 3, 4, 5, 6
            ORDER BY 1, 2, 4, 5, 6
            """, new { from, to, unattributed = BillSlices.Unattributed, outside = BillSlices.OutsideWorkspaces }, cancellationToken: ct))];
    }

    /// <summary>The provider kind of each account in the rollup.</summary>
    public async Task<Dictionary<string, string>> ProvidersAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<(string Account, string Provider)>(new CommandDefinition(
                "SELECT account, MIN(provider) FROM usage_daily GROUP BY account", cancellationToken: ct)))
            .ToDictionary(p => p.Account, p => p.Provider, StringComparer.Ordinal);
    }

    private async IAsyncEnumerable<object?[]> RowsAsync(string sql, long from, long to, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, new { from, to }, cancellationToken: ct));
        while (await reader.ReadAsync(ct))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            yield return row;
        }
    }
}
