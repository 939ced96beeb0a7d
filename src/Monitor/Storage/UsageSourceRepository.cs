using Dapper;
using Microsoft.Data.Sqlite;
using Monitor.Hosting;

namespace Monitor.Storage;

/// <summary>
/// Which usage source each account counts (<c>account_usage_sources</c>, migration 0015). At start the configured
/// choice (<see cref="ProviderOptions.CountedSource"/>) is compared with the recorded one; where it changed, the
/// account's rows are re-marked (<c>counted</c> by source), its daily rollup rebuilt and its anomaly series queued for
/// a rebuild, all in one transaction with the new choice: a switch of <c>UsageFrom</c> moves the totals from one source
/// to the other and never adds them.
/// </summary>
public sealed class UsageSourceRepository(Database database, TimeProvider clock)
{
    /// <summary>The recorded name of the provider's usage API as the counted source (pulls, imports, the demo's fakes).</summary>
    public const string Api = "api";

    /// <summary>The recorded name of the metering proxy as the counted source.</summary>
    public const string Proxy = "proxy";

    public static string NameOf(UsageFrom source) => source == UsageFrom.Proxy ? Proxy : Api;

    /// <summary>
    /// Records every configured account's counted source; re-marks and rebuilds the accounts whose choice changed (or
    /// was never recorded). Returns the accounts whose choice was new, with the number of rows re-marked.
    /// </summary>
    public async Task<IReadOnlyList<UsageSourceChange>> SyncAsync(IEnumerable<ProviderOptions> accounts, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var recorded = (await c.QueryAsync<(string Account, string UsageFrom)>(new CommandDefinition(
                "SELECT account, usage_from FROM account_usage_sources", cancellationToken: ct)))
            .ToDictionary(a => a.Account, a => a.UsageFrom, StringComparer.Ordinal);
        var changes = new List<UsageSourceChange>();
        foreach (var account in accounts)
        {
            var choice = NameOf(account.CountedSource);
            var was = recorded.GetValueOrDefault(account.Name);
            if (was == choice)
                continue;
            var remarked = await SwitchAsync((SqliteConnection)c, account.Name, choice, ct);
            changes.Add(new UsageSourceChange(account.Name, was, choice, remarked));
        }

        return changes;
    }

    private async Task<int> SwitchAsync(SqliteConnection c, string account, string choice, CancellationToken ct)
    {
        // BEGIN IMMEDIATE: a pull of another process waits for the switch instead of writing rows marked the old way.
        await using var tx = c.BeginTransaction(deferred: false);
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var proxy = choice == Proxy ? 1 : 0;
        var remarked = await c.ExecuteAsync(new CommandDefinition(
            """
            UPDATE usage_records SET counted = 1 - counted
            WHERE account = @account AND counted <> CASE WHEN source = 'proxy' THEN @proxy ELSE 1 - @proxy END
            """, new { account, proxy }, tx, cancellationToken: ct));
        if (remarked > 0)
        {
            var span = await c.QuerySingleAsync<(long? First, long? Last)>(new CommandDefinition(
                "SELECT MIN(bucket_start), MAX(bucket_start) FROM usage_records WHERE account = @account", new { account }, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition("DELETE FROM usage_daily WHERE account = @account", new { account }, tx, cancellationToken: ct));
            if (span is { First: { } first, Last: { } last })
                await UsageRollup.RefreshAsync(c, tx, account, UsageRollup.DayOf(first), UsageRollup.DayOf(last) + UsageRollup.Day, ct);

            // The anomaly series learnt from the other source: a state without a value rebuilds the account at the next check.
            await c.ExecuteAsync(new CommandDefinition(
                "UPDATE anomaly_states SET state = NULL WHERE account = @account", new { account }, tx, cancellationToken: ct));

            // A new ledger version: a serving process's cached dashboard reads are dropped.
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO ingest_batches (kind, account, origin, started_at) VALUES ('usage_from', @account, @choice, @now)",
                new { account, choice, now }, tx, cancellationToken: ct));
        }

        await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO account_usage_sources (account, usage_from, changed_at) VALUES (@account, @choice, @now)
            ON CONFLICT (account) DO UPDATE SET usage_from = excluded.usage_from, changed_at = excluded.changed_at
            """, new { account, choice, now }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return remarked;
    }

    /// <summary>The recorded choice per account (<see cref="Api"/> or <see cref="Proxy"/>).</summary>
    public async Task<IReadOnlyDictionary<string, string>> ChoicesAsync(CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        return (await c.QueryAsync<(string Account, string UsageFrom)>(new CommandDefinition(
                "SELECT account, usage_from FROM account_usage_sources", cancellationToken: ct)))
            .ToDictionary(a => a.Account, a => a.UsageFrom, StringComparer.Ordinal);
    }
}
