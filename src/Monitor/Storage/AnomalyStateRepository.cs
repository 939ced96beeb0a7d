using System.Data;
using Dapper;

namespace Monitor.Storage;

/// <summary>
/// The anomaly detectors' saved state (migration 0010): one checkpoint row for the whole ledger and one blob per series.
/// A check after a check loads them and scores only the buckets from the checkpoint on.
/// </summary>
public sealed class AnomalyStateRepository(Database database)
{
    /// <summary>What the previous check saved: its checkpoint (Unix seconds), its as-of time, the newest ingested_at it saw, and its fingerprint.</summary>
    public sealed record Checkpoint(long At, long AsOf, long IngestedMark, string Fingerprint);

    public async Task<Checkpoint?> CheckpointAsync(CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<(long At, long AsOf, long Mark, string Fingerprint)?>(new CommandDefinition(
            "SELECT checkpoint, as_of, ingested_mark, fingerprint FROM anomaly_checkpoint WHERE id = 1", cancellationToken: ct));
        return row is { } r ? new Checkpoint(r.At, r.AsOf, r.Mark, r.Fingerprint) : null;
    }

    /// <summary>The newest ingested_at in the ledger (0 when empty): the mark the next check compares with.</summary>
    public async Task<long> IngestedMarkAsync(CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        return await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COALESCE(MAX(ingested_at), 0) FROM usage_records WHERE counted = 1", cancellationToken: ct));
    }

    /// <summary>
    /// Accounts to rebuild from their whole history: rows written after <paramref name="mark"/> for buckets before
    /// <paramref name="before"/> (a backfill or late import below the checkpoint), or a series that began after the
    /// previous checkpoint (saved without a state).
    /// </summary>
    /// <remarks>
    /// Only the ingested_at index can serve the first query (one constraint: the planner has no other choice), and the
    /// rows written since the previous check are few; the second reads a partial index (migration 0013), not the states.
    /// </remarks>
    public async Task<HashSet<string>> AccountsToRebuildAsync(long mark, long before, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var accounts = new HashSet<string>(StringComparer.Ordinal);
        await using (var reader = await c.ExecuteReaderAsync(new CommandDefinition(
            "SELECT account, bucket_start FROM usage_records WHERE ingested_at > @mark AND counted = 1", new { mark }, cancellationToken: ct)))
        {
            while (await reader.ReadAsync(ct))
            {
                if (reader.GetInt64(1) < before)
                    accounts.Add(reader.GetString(0));
            }
        }

        accounts.UnionWith(await c.QueryAsync<string>(new CommandDefinition("SELECT account FROM anomaly_states WHERE state IS NULL", cancellationToken: ct)));
        return accounts;
    }

    /// <summary>Every saved state except those of <paramref name="skipAccounts"/> (they are rebuilt), by account and series.</summary>
    public async Task<Dictionary<(string Account, string Series), byte[]>> StatesAsync(HashSet<string> skipAccounts, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var states = new Dictionary<(string, string), byte[]>();
        await using var reader = await c.ExecuteReaderAsync(new CommandDefinition(
            "SELECT account, series, state FROM anomaly_states WHERE state IS NOT NULL", cancellationToken: ct));
        while (await reader.ReadAsync(ct))
        {
            var account = reader.GetString(0);
            if (!skipAccounts.Contains(account))
                states[(account, reader.GetString(1))] = (byte[])reader.GetValue(2);
        }

        return states;
    }

    /// <summary>
    /// Saves the checkpoint and the given states (null: the series began after the checkpoint), after deleting every
    /// state (<paramref name="replaceAll"/>) or those of <paramref name="replaceAccounts"/>, in one transaction.
    /// </summary>
    public async Task SaveAsync(
        Checkpoint checkpoint, bool replaceAll, IEnumerable<string> replaceAccounts,
        IEnumerable<(string Account, string Series, byte[]? State)> states, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        if (replaceAll)
        {
            await c.ExecuteAsync(new CommandDefinition("DELETE FROM anomaly_states", transaction: tx, cancellationToken: ct));
        }
        else
        {
            foreach (var account in replaceAccounts)
                await c.ExecuteAsync(new CommandDefinition("DELETE FROM anomaly_states WHERE account = @account", new { account }, tx, cancellationToken: ct));
        }

        await using (var insert = c.CreateCommand())
        {
            insert.Transaction = tx;
            insert.CommandText =
                """
                INSERT INTO anomaly_states (account, series, state) VALUES (@account, @series, @state)
                ON CONFLICT (account, series) DO UPDATE SET state = excluded.state
                """;
            var account = Sql.Parameter(insert, "account", DbType.String);
            var series = Sql.Parameter(insert, "series", DbType.String);
            var state = Sql.Parameter(insert, "state", DbType.Binary);
            await insert.PrepareAsync(ct);
            foreach (var s in states)
            {
                account.Value = s.Account;
                series.Value = s.Series;
                state.Value = (object?)s.State ?? DBNull.Value;
                await insert.ExecuteNonQueryAsync(ct);
            }
        }

        await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO anomaly_checkpoint (id, checkpoint, as_of, ingested_mark, fingerprint) VALUES (1, @At, @AsOf, @IngestedMark, @Fingerprint)
            ON CONFLICT (id) DO UPDATE SET checkpoint = excluded.checkpoint, as_of = excluded.as_of,
                ingested_mark = excluded.ingested_mark, fingerprint = excluded.fingerprint
            """,
            checkpoint, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }
}
