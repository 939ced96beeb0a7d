using System.Data.Common;
using Dapper;
using Monitor.Core.Deprecations;
using Monitor.Core.Keys;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Hosting;

namespace Monitor.Storage;

/// <summary>
/// Model and key lifecycles: alias and key-status history (written inside a pull's inventory transaction), declared
/// keys, and the reads the deprecation and key evaluators make, each bounded by the check's as-of time. Usage is read
/// from each account's counted source only (the rollup holds nothing else; ledger reads filter <c>counted = 1</c>).
/// </summary>
public sealed class LifecycleRepository(Database database)
{
    private readonly UsageWindowReader _usage = new(database);

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

    /// <summary>
    /// Records aliases the usage showed resolved (a day's <c>alias::model</c> key), where the history does not already
    /// say so: an observation adds a row at its time when the alias then resolved to another model (or to none known),
    /// unless the history already has a row that same day (the model list's observation is the more precise one).
    /// Re-reading the same usage adds nothing, and an older month read again does not undo a later move.
    /// </summary>
    public static async Task RecordAliasUsesAsync(DbConnection c, DbTransaction tx, IReadOnlyList<AliasObservation> seen)
    {
        ArgumentNullException.ThrowIfNull(seen);
        foreach (var o in seen.OrderBy(o => o.FirstSeenAt))
        {
            var at = o.FirstSeenAt.ToUnixTimeSeconds();
            var dayEnd = Providers.Windows.FloorDay(o.FirstSeenAt).AddDays(1).ToUnixTimeSeconds();
            var rows = (await c.QueryAsync<(string Model, long FirstSeen)>(
                """
                SELECT model, first_seen_at FROM model_alias_history
                WHERE account = @account AND alias = @alias AND first_seen_at < @dayEnd ORDER BY first_seen_at
                """, new { account = o.Account, alias = o.Alias, dayEnd }, tx)).ToList();
            var inEffect = rows.LastOrDefault(r => r.FirstSeen <= at);
            if (inEffect.Model == o.Model || rows.Any(r => r.FirstSeen >= at))
                continue;
            await c.ExecuteAsync(
                """
                INSERT INTO model_alias_history (account, alias, model, first_seen_at, last_seen_at) VALUES (@account, @alias, @model, @at, @at)
                ON CONFLICT (account, alias, first_seen_at) DO NOTHING
                """, new { account = o.Account, alias = o.Alias, model = o.Model, at }, tx);
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

    /// <summary>
    /// Writes Monitor:Keys:Declared to api_keys: at start (<see cref="LedgerStartup"/>) and at the start of each pull,
    /// never on a read (the check and the dashboard read the keys as stored).
    /// </summary>
    public Task SyncDeclaredKeysAsync(IReadOnlyList<DeclaredKeyOptions> declared, CancellationToken ct) =>
        declared.Count == 0 ? Task.CompletedTask : SaveDeclaredKeysAsync([.. declared.Select(Declared)], ct);

    /// <summary>
    /// Keys declared in the configuration (providers without a key listing), kept in api_keys with source 'config'. A
    /// declared key exists from its creation on: first and last seen are its created date, so a replay sees it too.
    /// Unchanged rows are left alone: every start and every pull writes them again.
    /// </summary>
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
                  AND (api_keys.name IS DISTINCT FROM excluded.name OR api_keys.owner IS DISTINCT FROM excluded.owner
                       OR api_keys.created_at IS DISTINCT FROM excluded.created_at OR api_keys.expires_at IS DISTINCT FROM excluded.expires_at)
                """,
                new { account, k.KeyId, k.Name, k.Owner, created = k.CreatedAt!.Value.ToUnixTimeSeconds(), expires = k.ExpiresAt?.ToUnixTimeSeconds() },
                tx);
        }

        await tx.CommitAsync(ct);
    }

    private static (string Account, ApiKeyInfo Key) Declared(DeclaredKeyOptions d) => (d.Account.Trim(), new ApiKeyInfo
    {
        KeyId = LifecycleProblems.DeclaredKeyId(d),
        Name = d.Name.Trim(),
        Owner = string.IsNullOrWhiteSpace(d.Owner) ? null : d.Owner.Trim(),
        CreatedAt = d.CreatedAt,
        ExpiresAt = d.ExpiresAt,
    });

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
    /// buckets that overlap the window (see <see cref="UsageWindowReader.SlicesAsync"/>).
    /// </summary>
    public Task<IReadOnlyList<UsageSlice>> UsageAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        _usage.SlicesAsync(from, to, ct);

    /// <summary>Requests and cost of one account's model in buckets starting in [from, to).</summary>
    public Task<(long Requests, long CostMicros)> ModelUsageSinceAsync(string account, string model, DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        _usage.TotalAsync(new UsageScope(Account: account, Model: model), from, to, ct);

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
    /// The ledger's last use: the last rolled-up day per key (an index seek), today's buckets from the ledger, and the
    /// exact hour only for keys last used before today.
    /// </summary>
    public async Task<IReadOnlyList<KeyState>> KeysAsync(DateTimeOffset asOf, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var at = asOf.ToUnixTimeSeconds();
        var tail = UsageWindow.Floor(at);
        var rows = (await c.QueryAsync<KeyRow>(
            """
            SELECT k.account AS Account, k.key_id AS KeyId, k.name AS Name, k.kind AS Kind, k.workspace AS Workspace,
                   k.fingerprint AS Fingerprint, k.last_four AS LastFour, k.owner AS Owner, k.status AS Status,
                   k.created_at AS CreatedAt, k.expires_at AS ExpiresAt, k.last_used_at AS ListedLastUsed,
                   k.first_seen_at AS FirstSeenAt, k.source AS Source,
                   (SELECT h.status FROM key_status_history h WHERE h.account = k.account AND h.key_id = k.key_id AND h.changed_at <= @at
                    ORDER BY h.changed_at DESC LIMIT 1) AS StatusThen,
                   (SELECT MAX(h.changed_at) FROM key_status_history h WHERE h.account = k.account AND h.key_id = k.key_id AND h.changed_at <= @at) AS StatusSince,
                   (SELECT MIN(m.provider) FROM models m WHERE m.account = k.account) AS ModelProvider,
                   (SELECT d.day FROM usage_daily d WHERE d.key_id = k.key_id AND d.account = k.account AND d.day < @tail
                    ORDER BY d.day DESC LIMIT 1) AS LedgerLastDay,
                   EXISTS (SELECT 1 FROM usage_daily d WHERE d.account = k.account AND d.key_id <> '' AND d.day < @tail) AS KeyedAccount
            FROM api_keys k
            WHERE k.first_seen_at <= @at
            """, new { at, tail })).ToList();
        if (rows.Count == 0)
            return [];

        // Today's part of the ledger, up to as-of: each key's latest bucket.
        var today = (await c.QueryAsync<(string Account, string KeyId, long Last)>(
            """
            SELECT account, key_id, MAX(bucket_start) FROM usage_records
            WHERE bucket_start >= @tail AND bucket_start < @at AND key_id <> '' AND counted = 1 GROUP BY account, key_id
            """, new { tail, at })).ToDictionary(u => (u.Account, u.KeyId), u => u.Last);
        var keyedToday = today.Keys.Select(k => k.Account).ToHashSet(StringComparer.Ordinal);

        // Keys last used on an earlier day: the hour of their last bucket, one query per account and day.
        var exact = new Dictionary<(string, string), long>();
        foreach (var (account, day) in rows.Where(r => r.LedgerLastDay is not null && !today.ContainsKey((r.Account, r.KeyId)))
                     .Select(r => (r.Account, r.LedgerLastDay!.Value)).Distinct())
        {
            var last = await c.QueryAsync<(string KeyId, long Last)>(
                """
                SELECT key_id, MAX(bucket_start) FROM usage_records
                WHERE account = @account AND bucket_start >= @day AND bucket_start < @end AND key_id <> '' AND counted = 1 GROUP BY key_id
                """, new { account, day, end = day + Sql.Day });
            foreach (var l in last)
                exact[(account, l.KeyId)] = l.Last;
        }

        return
        [
            .. rows.Select(r => (r with
            {
                LedgerLastUsed = today.TryGetValue((r.Account, r.KeyId), out var t) ? t
                    : r.LedgerLastDay is { } d ? exact.GetValueOrDefault((r.Account, r.KeyId), d) : null,
                KeyedAccount = r.KeyedAccount || keyedToday.Contains(r.Account),
            }).ToState(asOf)),
        ];
    }

    /// <summary>One key's usage in buckets starting in [from, to): totals, per model and per UTC day.</summary>
    public async Task<KeyUsage> KeyUsageAsync(string account, string keyId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        if (await _usage.DaysAsync(new UsageScope(Account: account, KeyId: keyId), from, to, ct) is not { } usage)
            return KeyUsage.None;
        var models = usage.Days.GroupBy(p => p.Model)
            .Select(g => (Model: g.Key, Currency: g.Select(p => p.Currency).Min(StringComparer.Ordinal)!, Requests: g.Sum(p => p.Requests), Cost: g.Sum(p => p.CostMicros)))
            .OrderByDescending(m => m.Cost).ThenBy(m => m.Model, StringComparer.Ordinal).ToList();
        return new KeyUsage
        {
            Requests = models.Sum(m => m.Requests),
            Cost = MoneyUnits.FromMicros(models.Sum(m => m.Cost)),
            Currency = Currencies.TryParse(models[0].Currency, out var currency) ? currency : null,
            Models = [.. models.Select(m => (m.Model, m.Requests, MoneyUnits.FromMicros(m.Cost)))],
            Days = [.. usage.Days.GroupBy(p => p.Day).OrderBy(g => g.Key).Select(g => (DateTimeOffset.FromUnixTimeSeconds(g.Key), MoneyUnits.FromMicros(g.Sum(p => p.CostMicros))))],
            FirstAt = DateTimeOffset.FromUnixTimeSeconds(usage.FirstBucket),
            LastAt = DateTimeOffset.FromUnixTimeSeconds(usage.LastBucket),
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
        public long? LedgerLastDay { get; init; }
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
