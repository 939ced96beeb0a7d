using Dapper;
using Monitor.Core.Budgets;
using Monitor.Core.Deprecations;
using Monitor.Core.Keys;

namespace Monitor.Storage;

/// <summary>
/// What the enforced budgets' guard reads besides the budgets' own period spend (<see cref="BudgetSpendReader"/>): the
/// callers' directory (key listings, alias history), the key fingerprints the proxy has metered, each account's last
/// good pull, and the proxy's minutes of an account that counts its provider's API (not yet in the API's figures).
/// </summary>
public sealed class SpendGuardRepository(Database database)
{
    public async Task<CallerDirectory> DirectoryAsync(CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var keys = await c.QueryAsync<(string Account, string KeyId, string Workspace, string? Fingerprint, string? LastFour)>(new CommandDefinition(
            "SELECT account, key_id, workspace, fingerprint, last_four FROM api_keys", cancellationToken: ct));
        var aliases = await c.QueryAsync<(string Account, string Alias, string Model, long FirstSeen)>(new CommandDefinition(
            "SELECT account, alias, model, first_seen_at FROM model_alias_history", cancellationToken: ct));
        return new CallerDirectory(
            keys.Select(k => (k.Account, new ApiKeyInfo { KeyId = k.KeyId, Workspace = k.Workspace, Fingerprint = k.Fingerprint, LastFour = k.LastFour })),
            aliases.Select(a => new AliasObservation(a.Account, a.Alias, a.Model, DateTimeOffset.FromUnixTimeSeconds(a.FirstSeen))));
    }

    /// <summary>The key fingerprints the proxy metered per account in buckets from <paramref name="from"/> on.</summary>
    public async Task<IReadOnlyList<(string Account, string Fingerprint)>> ProxyKeysAsync(DateTimeOffset from, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        return [.. await c.QueryAsync<(string, string)>(new CommandDefinition(
            "SELECT DISTINCT account, key_id FROM usage_records WHERE bucket_start >= @from AND source = 'proxy'",
            new { from = from.ToUnixTimeSeconds() }, cancellationToken: ct))];
    }

    /// <summary>When each account's last successful pull started: its provider's figures reach about that far.</summary>
    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> LastPullsAsync(CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        return (await c.QueryAsync<(string Account, long At)>(new CommandDefinition(
                "SELECT account, MAX(started_at) FROM pull_runs WHERE outcome = 'ok' GROUP BY account", cancellationToken: ct)))
            .ToDictionary(p => p.Account, p => DateTimeOffset.FromUnixTimeSeconds(p.At), StringComparer.Ordinal);
    }

    /// <summary>An account's priced proxy minutes in [from, to) that it does not count (it counts its provider's API).</summary>
    public async Task<IReadOnlyList<MeteredMinute>> UncountedProxyMinutesAsync(string account, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        // The primary key (account, bucket_start, ...) serves the range: only the account's rows since its last pull are read.
        var rows = await c.QueryAsync<(string KeyId, string Model, string Currency, long Start, long Micros)>(new CommandDefinition(
            """
            SELECT key_id, model, currency, bucket_start, cost_micros FROM usage_records
            WHERE account = @account AND bucket_start >= @from AND bucket_start < @to AND source = 'proxy' AND counted = 0 AND cost_micros IS NOT NULL
            """, new { account, from = from.ToUnixTimeSeconds(), to = to.ToUnixTimeSeconds() }, cancellationToken: ct));
        return [.. rows.Select(r => new MeteredMinute(r.KeyId, r.Model, r.Currency, DateTimeOffset.FromUnixTimeSeconds(r.Start), r.Micros))];
    }
}
