using System.Data.Common;
using Dapper;
using Monitor.Core.Deprecations;
using Monitor.Core.Keys;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;

namespace Monitor.Storage;

/// <summary>
/// Model and key lifecycles: alias and key-status history (written inside a pull's inventory transaction), declared
/// keys, and the reads the deprecation and key evaluators make, each bounded by the check's as-of time.
/// </summary>
public sealed class LifecycleRepository(Database database)
{
    /// <summary>Records, per alias in the listing, a new row when it resolves to another model than last time.</summary>
    public static async Task RecordAliasesAsync(DbConnection c, DbTransaction tx, string account, IReadOnlyList<ModelInfo> models, DateTimeOffset now)
    {
        var at = now.ToUnixTimeSeconds();
        foreach (var (alias, model) in models.SelectMany(m => m.Aliases.Select(a => (Alias: a, m.Model))).DistinctBy(p => p.Alias))
        {
            var last = await c.QuerySingleOrDefaultAsync<(string Model, long FirstSeen)?>(
                """
                SELECT model, first_seen_at FROM model_alias_history
                WHERE account = @account AND alias = @alias ORDER BY first_seen_at DESC LIMIT 1
                """, new { account, alias }, tx);
            if (last is { } l && l.Model == model)
            {
                await c.ExecuteAsync(
                    "UPDATE model_alias_history SET last_seen_at = @at WHERE account = @account AND alias = @alias AND first_seen_at = @first",
                    new { account, alias, at, first = l.FirstSeen }, tx);
            }
            else if (last is null || last.Value.FirstSeen < at)
            {
                await c.ExecuteAsync(
                    """
                    INSERT INTO model_alias_history (account, alias, model, first_seen_at, last_seen_at) VALUES (@account, @alias, @model, @at, @at)
                    ON CONFLICT (account, alias, first_seen_at) DO NOTHING
                    """, new { account, alias, model, at }, tx);
            }
        }
    }

    /// <summary>Records every key of the account whose status differs from its last recorded one (new keys included).</summary>
    public static Task RecordKeyStatusesAsync(DbConnection c, DbTransaction tx, string account, DateTimeOffset now) =>
        c.ExecuteAsync(
            """
            INSERT INTO key_status_history (account, key_id, status, changed_at)
            SELECT k.account, k.key_id, k.status, @at FROM api_keys k
            WHERE k.account = @account
              AND k.status <> COALESCE((SELECT h.status FROM key_status_history h
                                        WHERE h.account = k.account AND h.key_id = k.key_id
                                        ORDER BY h.changed_at DESC LIMIT 1), '')
            ON CONFLICT (account, key_id, changed_at) DO NOTHING
            """, new { account, at = now.ToUnixTimeSeconds() }, tx);

    /// <summary>Keys declared in the configuration (providers without a key listing), kept in api_keys with source 'config'.</summary>
    /// A declared key exists from its creation on: first and last seen are its created date, so a replay sees it too.
    public async Task SaveDeclaredKeysAsync(IReadOnlyList<(string Account, ApiKeyInfo Key)> keys, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        foreach (var (account, k) in keys)
        {
            await c.ExecuteAsync(
                """
                INSERT INTO api_keys (account, key_id, name, kind, workspace, fingerprint, last_four, owner, status,
                                      created_at, expires_at, last_used_at, first_seen_at, last_seen_at, source)
                VALUES (@account, @KeyId, @Name, 'api', '', NULL, NULL, @Owner, 'active', @created, @expires, NULL, @created, @created, 'config')
                ON CONFLICT (account, key_id) DO UPDATE SET
                    name = excluded.name, owner = excluded.owner, created_at = excluded.created_at,
                    expires_at = excluded.expires_at, first_seen_at = excluded.first_seen_at, last_seen_at = excluded.last_seen_at
                WHERE api_keys.source = 'config'
                """,
                new { account, k.KeyId, k.Name, k.Owner, created = k.CreatedAt!.Value.ToUnixTimeSeconds(), expires = k.ExpiresAt?.ToUnixTimeSeconds() },
                tx);
        }

        await tx.CommitAsync(ct);
    }

    /// <summary>Listed models (up to as-of): their cards by (account, model or alias).</summary>
    public async Task<IReadOnlyList<(string Account, ProviderKind Provider, ModelInfo Model)>> ModelsAsync(DateTimeOffset asOf, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var rows = await c.QueryAsync<(string Account, string Provider, string Model, string Aliases, long? Shutdown, string? Replacement)>(
            "SELECT account, provider, model, aliases, shutdown_at, replacement FROM models WHERE first_seen_at <= @asOf",
            new { asOf = asOf.ToUnixTimeSeconds() });
        return
        [
            .. rows.Select(r => (r.Account, ProviderKinds.TryParse(r.Provider, out var p) ? p : ProviderKind.OpenAICompatible, new ModelInfo
            {
                Model = r.Model,
                Aliases = r.Aliases.Split(',', StringSplitOptions.RemoveEmptyEntries),
                ShutdownAt = r.Shutdown is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null,
                Replacement = r.Replacement,
            })),
        ];
    }

    /// <summary>
    /// Usage per account, provider, currency, model, workspace and key in buckets starting in [from, to), plus month
    /// buckets (Mistral's opening balance of a month) that overlap the window.
    /// </summary>
    public async Task<IReadOnlyList<UsageSlice>> UsageAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var rows = await c.QueryAsync<UsageSlice>(
            """
            SELECT u.account AS Account, u.provider AS Provider, u.currency AS Currency, u.model AS Model, u.workspace AS Workspace,
                   u.key_id AS KeyId, MAX(k.name) AS KeyName,
                   SUM(u.input_tokens) AS Input, SUM(u.cached_input_tokens) AS CachedInput, SUM(u.cache_write_tokens) AS CacheWrite,
                   SUM(u.output_tokens) AS Output, SUM(u.requests) AS Requests, COALESCE(SUM(u.cost_micros), 0) AS CostMicros,
                   MAX(u.bucket_start) AS LastBucket
            FROM usage_records u
            LEFT JOIN api_keys k ON k.account = u.account AND k.key_id = u.key_id
            WHERE u.bucket_start < @to AND (u.bucket_start >= @from OR (u.bucket_width = 'month' AND u.bucket_start >= @monthFrom))
            GROUP BY u.account, u.provider, u.currency, u.model, u.workspace, u.key_id
            """, new { from = from.ToUnixTimeSeconds(), to = to.ToUnixTimeSeconds(), monthFrom = MonthStart(from).ToUnixTimeSeconds() });
        return [.. rows];
    }

    /// <summary>Requests and cost of one account's model in buckets starting in [from, to).</summary>
    public async Task<(long Requests, long CostMicros)> ModelUsageSinceAsync(string account, string model, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        return await c.QuerySingleAsync<(long, long)>(
            """
            SELECT COALESCE(SUM(requests), 0), COALESCE(SUM(cost_micros), 0) FROM usage_records
            WHERE account = @account AND model = @model AND bucket_start >= @from AND bucket_start < @to
            """, new { account, model, from = from.ToUnixTimeSeconds(), to = to.ToUnixTimeSeconds() });
    }

    private static DateTimeOffset MonthStart(DateTimeOffset t) => new(t.UtcDateTime.Year, t.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);

    public async Task<IReadOnlyList<AliasObservation>> AliasHistoryAsync(DateTimeOffset asOf, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var rows = await c.QueryAsync<(string Account, string Alias, string Model, long FirstSeen)>(
            "SELECT account, alias, model, first_seen_at FROM model_alias_history WHERE first_seen_at <= @asOf",
            new { asOf = asOf.ToUnixTimeSeconds() });
        return [.. rows.Select(r => new AliasObservation(r.Account, r.Alias, r.Model, DateTimeOffset.FromUnixTimeSeconds(r.FirstSeen)))];
    }

    /// <summary>
    /// Keys known at as-of, with the status they had then, since when, and their last use (listing or ledger, up to as-of).
    /// </summary>
    public async Task<IReadOnlyList<KeyState>> KeysAsync(DateTimeOffset asOf, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var at = asOf.ToUnixTimeSeconds();
        var rows = await c.QueryAsync<KeyRow>(
            """
            SELECT k.account AS Account, k.key_id AS KeyId, k.name AS Name, k.kind AS Kind, k.workspace AS Workspace,
                   k.fingerprint AS Fingerprint, k.last_four AS LastFour, k.owner AS Owner, k.status AS Status,
                   k.created_at AS CreatedAt, k.expires_at AS ExpiresAt, k.last_used_at AS ListedLastUsed,
                   k.first_seen_at AS FirstSeenAt, k.source AS Source,
                   (SELECT h.status FROM key_status_history h WHERE h.account = k.account AND h.key_id = k.key_id AND h.changed_at <= @at
                    ORDER BY h.changed_at DESC LIMIT 1) AS StatusThen,
                   (SELECT MAX(h.changed_at) FROM key_status_history h WHERE h.account = k.account AND h.key_id = k.key_id AND h.changed_at <= @at) AS StatusSince,
                   (SELECT MIN(m.provider) FROM models m WHERE m.account = k.account) AS ModelProvider
            FROM api_keys k
            WHERE k.first_seen_at <= @at
            """, new { at });
        // One pass over the ledger: each keyed account's keys and their latest bucket.
        var lastUsed = (await c.QueryAsync<(string Account, string KeyId, long Last)>(
            """
            SELECT account, key_id, MAX(bucket_start) FROM usage_records
            WHERE key_id <> '' AND bucket_start < @at GROUP BY account, key_id
            """, new { at })).ToList();
        var byKey = lastUsed.ToDictionary(u => (u.Account, u.KeyId), u => u.Last);
        var keyed = lastUsed.Select(u => u.Account).ToHashSet(StringComparer.Ordinal);
        return
        [
            .. rows.Select(r => (r with
            {
                LedgerLastUsed = byKey.TryGetValue((r.Account, r.KeyId), out var last) ? last : null,
                KeyedAccount = keyed.Contains(r.Account),
            }).ToState(asOf)),
        ];
    }

    /// <summary>One key's usage in buckets starting in [from, to): totals, per model and per UTC day.</summary>
    public async Task<KeyUsage> KeyUsageAsync(string account, string keyId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var args = new { account, keyId, from = from.ToUnixTimeSeconds(), to = to.ToUnixTimeSeconds() };
        var models = (await c.QueryAsync<(string Model, string Currency, long Requests, long Cost, long First, long Last)>(
            """
            SELECT model, MIN(currency), SUM(requests), COALESCE(SUM(cost_micros), 0), MIN(bucket_start), MAX(bucket_start) FROM usage_records
            WHERE account = @account AND key_id = @keyId AND bucket_start >= @from AND bucket_start < @to
            GROUP BY model ORDER BY SUM(cost_micros) DESC, model
            """, args)).ToList();
        if (models.Count == 0)
            return KeyUsage.None;
        var days = await c.QueryAsync<(long Day, long Cost)>(
            """
            SELECT (bucket_start / 86400) * 86400, COALESCE(SUM(cost_micros), 0) FROM usage_records
            WHERE account = @account AND key_id = @keyId AND bucket_start >= @from AND bucket_start < @to
            GROUP BY (bucket_start / 86400) * 86400 ORDER BY 1
            """, args);
        return new KeyUsage
        {
            Requests = models.Sum(m => m.Requests),
            Cost = MoneyUnits.FromMicros(models.Sum(m => m.Cost)),
            Currency = Currencies.TryParse(models[0].Currency, out var currency) ? currency : null,
            Models = [.. models.Select(m => (m.Model, m.Requests, MoneyUnits.FromMicros(m.Cost)))],
            Days = [.. days.Select(d => (DateTimeOffset.FromUnixTimeSeconds(d.Day), MoneyUnits.FromMicros(d.Cost)))],
            FirstAt = DateTimeOffset.FromUnixTimeSeconds(models.Min(m => m.First)),
            LastAt = DateTimeOffset.FromUnixTimeSeconds(models.Max(m => m.Last)),
        };
    }

    private sealed record KeyRow
    {
        public required string Account { get; init; }
        public required string KeyId { get; init; }
        public string? Name { get; init; }
        public required string Kind { get; init; }
        public required string Workspace { get; init; }
        public string? Fingerprint { get; init; }
        public string? LastFour { get; init; }
        public string? Owner { get; init; }
        public required string Status { get; init; }
        public long? CreatedAt { get; init; }
        public long? ExpiresAt { get; init; }
        public long? ListedLastUsed { get; init; }
        public long FirstSeenAt { get; init; }
        public required string Source { get; init; }
        public string? StatusThen { get; init; }
        public long? StatusSince { get; init; }
        public long? LedgerLastUsed { get; init; }
        public bool KeyedAccount { get; init; }
        public string? ModelProvider { get; init; }

        public KeyState ToState(DateTimeOffset asOf)
        {
            // A listing's last-used time after as-of is not known at as-of (a replay): ignore it.
            var listed = ListedLastUsed is { } l && l <= asOf.ToUnixTimeSeconds() ? l : (long?)null;
            var lastUsed = Math.Max(listed ?? long.MinValue, LedgerLastUsed ?? long.MinValue);
            return new KeyState
            {
                Account = Account,
                Provider = ProviderKinds.TryParse(ModelProvider, out var p) ? p : null,
                Key = new ApiKeyInfo
                {
                    KeyId = KeyId, Name = Name, Kind = Kind, Workspace = Workspace, Fingerprint = Fingerprint, LastFour = LastFour,
                    Owner = Owner, Status = StatusThen ?? Status, CreatedAt = Time(CreatedAt), ExpiresAt = Time(ExpiresAt),
                    LastUsedAt = Time(listed),
                },
                Source = Source,
                FirstSeenAt = DateTimeOffset.FromUnixTimeSeconds(FirstSeenAt),
                StatusSince = Time(StatusSince),
                LastUsedAt = lastUsed == long.MinValue ? null : DateTimeOffset.FromUnixTimeSeconds(lastUsed),
                UsageKnown = ListedLastUsed is not null || KeyedAccount,
            };
        }

        private static DateTimeOffset? Time(long? seconds) => seconds is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null;
    }
}
