using System.Data;
using System.Data.Common;
using Dapper;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Proxy;

namespace Monitor.Storage;

/// <summary>
/// Commits what the metering proxy measured. Unlike a pull, which replaces its window, a flush ADDS to the minute's
/// record: several flushes land in one minute, and several nodes may meter the same account. Each flush is one
/// transaction: the usage records (source <c>proxy</c>, width 1m, key id and fingerprint = the key's fingerprint,
/// counted when the account counts the proxy), the per-status request counts, and the daily rollup of the touched
/// days. One ingest batch stands for a minute of flushes (the dashboard's cache turns on a new batch).
/// </summary>
public sealed class ProxyUsageRepository(Database database)
{
    private const string AddUsageSql = """
        INSERT INTO usage_records (account, provider, workspace, key_id, key_fingerprint, model, category, bucket_start, bucket_width,
            input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, requests, units, unit,
            cost_micros, currency, cost_source, estimated_cost_micros, source, ingested_at, batch_id, raw, counted)
        VALUES (@account, @provider, '', @key, @fingerprint, @model, @category, @bucket_start, '1m',
            @input, @cached, @write, @output, @reasoning, @requests, @units, @unit,
            @cost, @currency, CASE WHEN @cost IS NULL THEN 'unpriced' ELSE 'estimated' END, @cost, 'proxy', @now, @batch, NULL, @counted)
        ON CONFLICT (account, bucket_start, bucket_width, workspace, key_id, model, category) DO UPDATE SET
            input_tokens = usage_records.input_tokens + excluded.input_tokens,
            cached_input_tokens = usage_records.cached_input_tokens + excluded.cached_input_tokens,
            cache_write_tokens = usage_records.cache_write_tokens + excluded.cache_write_tokens,
            output_tokens = usage_records.output_tokens + excluded.output_tokens,
            reasoning_tokens = usage_records.reasoning_tokens + excluded.reasoning_tokens,
            requests = usage_records.requests + excluded.requests,
            units = usage_records.units + excluded.units,
            cost_micros = CASE WHEN usage_records.cost_micros IS NULL AND excluded.cost_micros IS NULL THEN NULL
                               ELSE COALESCE(usage_records.cost_micros, 0) + COALESCE(excluded.cost_micros, 0) END,
            estimated_cost_micros = CASE WHEN usage_records.estimated_cost_micros IS NULL AND excluded.estimated_cost_micros IS NULL THEN NULL
                               ELSE COALESCE(usage_records.estimated_cost_micros, 0) + COALESCE(excluded.estimated_cost_micros, 0) END,
            cost_source = CASE WHEN usage_records.cost_micros IS NULL AND excluded.cost_micros IS NULL THEN 'unpriced' ELSE 'estimated' END,
            ingested_at = excluded.ingested_at, batch_id = excluded.batch_id, counted = excluded.counted
        WHERE usage_records.source = 'proxy'
        """;

    private const string AddRequestsSql = """
        INSERT INTO proxy_requests (account, key_fingerprint, model, minute, status, requests, metered)
        VALUES (@account, @fingerprint, @model, @minute, @status, @requests, @metered)
        ON CONFLICT (account, minute, key_fingerprint, model, status) DO UPDATE SET
            requests = proxy_requests.requests + excluded.requests,
            metered = proxy_requests.metered + excluded.metered
        """;

    private readonly Lock _lock = new();
    private long _batchId;
    private long _batchMinute = -1;

    /// <summary>Adds one flush to the ledger in one transaction; nothing is written if it fails.</summary>
    public async Task AddAsync(IReadOnlyList<MeteredBucket> buckets, IReadOnlyList<RequestCount> counts, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        ArgumentNullException.ThrowIfNull(counts);
        if (buckets.Count == 0 && counts.Count == 0)
            return;
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = await Sql.BeginWriteAsync(connection, ct);
        var (batch, minute) = await BatchAsync(connection, transaction, now, ct);
        var touched = new TouchedDays();

        await using (var usage = Command(connection, transaction, AddUsageSql,
            ("account", DbType.String), ("provider", DbType.String), ("key", DbType.String), ("fingerprint", DbType.String),
            ("model", DbType.String), ("category", DbType.String), ("bucket_start", DbType.Int64), ("input", DbType.Int64),
            ("cached", DbType.Int64), ("write", DbType.Int64), ("output", DbType.Int64), ("reasoning", DbType.Int64),
            ("requests", DbType.Int64), ("units", DbType.Int64), ("unit", DbType.String), ("cost", DbType.Int64),
            ("currency", DbType.String), ("now", DbType.Int64), ("batch", DbType.Int64), ("counted", DbType.Int64)))
        {
            var p = usage.Parameters;
            // One order on every node: two flushes adding to the same rows lock them in the same order (no deadlock).
            foreach (var b in buckets.OrderBy(b => b.Route.Account, StringComparer.Ordinal).ThenBy(b => b.Minute)
                         .ThenBy(b => b.KeyFingerprint, StringComparer.Ordinal).ThenBy(b => b.Model, StringComparer.Ordinal)
                         .ThenBy(b => b.Category, StringComparer.Ordinal))
            {
                var start = b.Minute.ToUnixTimeSeconds();
                p[0].Value = b.Route.Account;
                p[1].Value = b.Route.Kind.ToWire();
                p[2].Value = b.KeyFingerprint;
                p[3].Value = b.KeyFingerprint.Length > 0 ? b.KeyFingerprint : DBNull.Value;
                p[4].Value = b.Model;
                p[5].Value = b.Category;
                p[6].Value = start;
                p[7].Value = b.Tokens.Input;
                p[8].Value = b.Tokens.CachedInput;
                p[9].Value = b.Tokens.CacheWrite;
                p[10].Value = b.Tokens.Output;
                p[11].Value = b.Tokens.Reasoning;
                p[12].Value = b.Requests;
                p[13].Value = b.Units;
                p[14].Value = b.Unit;
                p[15].Value = b.Cost is { } cost ? MoneyUnits.ToMicros(cost) : DBNull.Value;
                p[16].Value = b.Route.Currency.ToString();
                p[17].Value = now.ToUnixTimeSeconds();
                p[18].Value = batch;
                p[19].Value = b.Route.Counted ? 1L : 0L;
                await usage.ExecuteNonQueryAsync(ct);
                if (b.Route.Counted)
                    touched.Add(b.Route.Account, start);
            }
        }

        await using (var requests = Command(connection, transaction, AddRequestsSql,
            ("account", DbType.String), ("fingerprint", DbType.String), ("model", DbType.String), ("minute", DbType.Int64),
            ("status", DbType.Int64), ("requests", DbType.Int64), ("metered", DbType.Int64)))
        {
            var p = requests.Parameters;
            foreach (var c in counts.OrderBy(c => c.Account, StringComparer.Ordinal).ThenBy(c => c.Minute)
                         .ThenBy(c => c.KeyFingerprint, StringComparer.Ordinal).ThenBy(c => c.Model, StringComparer.Ordinal).ThenBy(c => c.Status))
            {
                p[0].Value = c.Account;
                p[1].Value = c.KeyFingerprint;
                p[2].Value = c.Model;
                p[3].Value = c.Minute.ToUnixTimeSeconds();
                p[4].Value = (long)c.Status;
                p[5].Value = c.Requests;
                p[6].Value = c.Metered;
                await requests.ExecuteNonQueryAsync(ct);
            }
        }

        foreach (var (account, from, to) in touched.Ranges())
            await UsageRollup.RefreshAsync(connection, transaction, account, from, to, ct);
        await transaction.CommitAsync(ct);
        lock (_lock)
        {
            _batchId = batch;
            _batchMinute = minute;
        }
    }

    /// <summary>The calls counted per status for an account (tests, exports).</summary>
    public async Task<IReadOnlyList<RequestCount>> RequestsAsync(string account, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<(string KeyFingerprint, string Model, long Minute, long Status, long Requests, long Metered)>(new CommandDefinition(
            """
            SELECT key_fingerprint, model, minute, status, requests, metered FROM proxy_requests
            WHERE account = @account ORDER BY minute, key_fingerprint, model, status
            """, new { account }, cancellationToken: ct));
        return [.. rows.Select(r => new RequestCount(account, r.KeyFingerprint, r.Model, DateTimeOffset.FromUnixTimeSeconds(r.Minute), (int)r.Status, r.Requests, r.Metered))];
    }

    // One batch per minute of flushes: provenance for the rows, and a new ledger version for the dashboard's cache.
    private async Task<(long Id, long Minute)> BatchAsync(DbConnection connection, DbTransaction transaction, DateTimeOffset now, CancellationToken ct)
    {
        var minute = now.ToUnixTimeSeconds() / 60;
        lock (_lock)
        {
            if (minute == _batchMinute)
                return (_batchId, minute);
        }

        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "INSERT INTO ingest_batches (kind, account, origin, started_at) VALUES ('proxy', NULL, 'proxy', @at) RETURNING id",
            new { at = now.ToUnixTimeSeconds() }, transaction, cancellationToken: ct));
        return (id, minute);
    }

    // A statement prepared once per flush and run for each of its rows (both dialects).
    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql, params (string Name, DbType Type)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, type) in parameters)
            Sql.Parameter(command, name, type);
        command.Prepare();
        return command;
    }
}
