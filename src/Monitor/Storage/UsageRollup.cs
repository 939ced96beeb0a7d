using System.Data.Common;
using Dapper;

namespace Monitor.Storage;

/// <summary>
/// Keeps <c>usage_daily</c>, the dashboard's daily rollup of <c>usage_records</c> (migration 0008), exact: the days a
/// ledger write touched are recomputed from the records inside the same transaction (<see cref="LedgerTransaction"/>
/// calls <see cref="RefreshAsync"/> at commit); migration 0009 recomputes everything once. A day's rollup rows are always
/// a plain GROUP BY of that day's counted records (the account's counted usage source, migration 0015), so no write
/// through the ledger can leave them out of step.
/// </summary>
public static class UsageRollup
{
    /// <summary>A UTC day in Unix seconds.</summary>
    public const long Day = Sql.Day;

    // The one definition of a rollup row. Migration 0009 repeats it without the WHERE to rebuild the whole rollup.
    private static readonly string RefreshSql = $"""
        INSERT INTO usage_daily (day, account, provider, workspace, key_id, model, currency, is_month, key_fingerprint,
            buckets, priced_buckets, cost_micros, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, requests,
            reported_micros, estimated_micros)
        SELECT {Sql.DayOf("bucket_start")}, account, provider, workspace, key_id, model, currency,
               CASE WHEN bucket_width = 'month' THEN 1 ELSE 0 END, MAX(key_fingerprint),
               COUNT(*), COUNT(cost_micros), COALESCE(SUM(cost_micros), 0),
               SUM(input_tokens), SUM(cached_input_tokens), SUM(cache_write_tokens), SUM(output_tokens), SUM(requests),
               COALESCE(SUM(CASE WHEN cost_source = 'reported' AND estimated_cost_micros IS NOT NULL THEN cost_micros END), 0),
               COALESCE(SUM(CASE WHEN cost_source = 'reported' AND cost_micros IS NOT NULL THEN estimated_cost_micros END), 0)
        FROM usage_records
        WHERE account = @account AND bucket_start >= @from AND bucket_start < @to AND counted = 1
        GROUP BY {Sql.DayOf("bucket_start")}, account, provider, workspace, key_id, model, currency,
                 CASE WHEN bucket_width = 'month' THEN 1 ELSE 0 END
        """;

    /// <summary>The UTC day (Unix seconds) a bucket starting at <paramref name="bucketStart"/> is rolled up into.</summary>
    public static long DayOf(long bucketStart) => bucketStart - (bucketStart % Day);

    /// <summary>Recomputes the rollup of <paramref name="account"/> for the whole UTC days in [<paramref name="from"/>, <paramref name="to"/>) (Unix seconds, day-aligned).</summary>
    public static async Task RefreshAsync(DbConnection connection, DbTransaction transaction, string account, long from, long to, CancellationToken ct)
    {
        var range = new { account, from, to };
        // Two nodes writing one account at once (proxy flushes, a pull beside them) recompute its days one after the
        // other: the second sees the first's committed records and rows, never a stale sum nor a duplicate row.
        await Sql.SerializeAsync(connection, transaction, Sql.Locks.Rollup, account, ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM usage_daily WHERE account = @account AND day >= @from AND day < @to", range, transaction, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(RefreshSql, range, transaction, cancellationToken: ct));
    }
}
