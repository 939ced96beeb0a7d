using System.Data.Common;
using Dapper;
using Monitor.Core.Deprecations;
using Monitor.Core.Keys;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;

namespace Monitor.Storage;

/// <summary>
/// Model and key lifecycles: alias and key-status history (written inside a pull's inventory transaction), declared
/// keys, and the reads the deprecation and key evaluators make, each bounded by the check's as-of time. Usage is read
/// from each account's counted source only (the rollup holds nothing else; ledger reads filter <c>counted = 1</c>).
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
    /// Keys declared in the configuration (providers without a key listing), kept in api_keys with source 'config'. A
    /// declared key exists from its creation on: first and last seen are its created date, so a replay sees it too.
    /// Unchanged rows are left alone: the dashboard reads keys through here, and a read must not write.
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
    /// buckets (Mistral's opening balance of a month) that overlap the window. Whole UTC days come from the daily
    /// rollup, the partial days at both ends from the ledger; the last bucket stays exact to the hour.
    /// </summary>
    public async Task<IReadOnlyList<UsageSlice>> UsageAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var w = DayWindow.Of(from, to);
        var monthFrom = MonthStart(from).ToUnixTimeSeconds();
        // Month buckets start at 00:00 UTC on the 1st, so the only one before the window's first whole day is at monthFrom.
        var rows = (await c.QueryAsync<SliceRow>(
            """
            SELECT g.account AS Account, g.provider AS Provider, g.currency AS Currency, g.model AS Model, g.workspace AS Workspace,
                   g.key_id AS KeyId, k.name AS KeyName, g.i AS Input, g.ci AS CachedInput, g.cw AS CacheWrite, g.o AS Output,
                   g.r AS Requests, g.cost AS CostMicros, g.last AS LastBucket, g.last_day AS LastDay
            FROM (SELECT account, provider, currency, model, workspace, key_id, SUM(i) AS i, SUM(ci) AS ci, SUM(cw) AS cw, SUM(o) AS o,
                         SUM(r) AS r, SUM(cost) AS cost, MAX(last) AS last, MAX(last_day) AS last_day
                  FROM (SELECT account, provider, currency, model, workspace, key_id, SUM(input_tokens) AS i, SUM(cached_input_tokens) AS ci,
                               SUM(cache_write_tokens) AS cw, SUM(output_tokens) AS o, SUM(requests) AS r, SUM(cost_micros) AS cost,
                               NULL AS last, MAX(day) AS last_day
                        FROM usage_daily
                        WHERE (day >= @split AND day < @tail) OR (is_month = 1 AND day = @monthFrom AND day < @split)
                        GROUP BY account, provider, currency, model, workspace, key_id
                        UNION ALL
                        SELECT account, provider, currency, model, workspace, key_id, SUM(input_tokens), SUM(cached_input_tokens),
                               SUM(cache_write_tokens), SUM(output_tokens), SUM(requests), COALESCE(SUM(cost_micros), 0), MAX(bucket_start), NULL
                        FROM usage_records
                        WHERE bucket_start >= @from AND bucket_start < @split AND bucket_width <> 'month' AND counted = 1
                        GROUP BY account, provider, currency, model, workspace, key_id
                        UNION ALL
                        SELECT account, provider, currency, model, workspace, key_id, SUM(input_tokens), SUM(cached_input_tokens),
                               SUM(cache_write_tokens), SUM(output_tokens), SUM(requests), COALESCE(SUM(cost_micros), 0), MAX(bucket_start), NULL
                        FROM usage_records
                        WHERE bucket_start >= @tail AND bucket_start < @to AND (bucket_width = 'month' OR bucket_start >= @from) AND counted = 1
                        GROUP BY account, provider, currency, model, workspace, key_id) parts
                  GROUP BY account, provider, currency, model, workspace, key_id) g
            LEFT JOIN api_keys k ON k.account = g.account AND k.key_id = g.key_id
            """, new { from = w.From, split = w.Split, tail = w.Tail, to = w.To, monthFrom })).ToList();

        // A slice last seen on a rolled-up day: its exact last hour, one query per account and day.
        var exact = new Dictionary<(string, string, string, string, string, string), long>();
        foreach (var (account, day) in rows.Where(r => r.NeedsExactLast).Select(r => (r.Account, r.LastDay!.Value)).Distinct())
        {
            var last = await c.QueryAsync<(string Provider, string Currency, string Model, string Workspace, string KeyId, long Last)>(
                """
                SELECT provider, currency, model, workspace, key_id, MAX(bucket_start) FROM usage_records
                WHERE account = @account AND bucket_start >= @day AND bucket_start < @end AND (bucket_start >= @from OR bucket_width = 'month') AND counted = 1
                GROUP BY provider, currency, model, workspace, key_id
                """, new { account, day, end = day + DayWindow.Day, from = w.From });
            foreach (var l in last)
                exact[(account, l.Provider, l.Currency, l.Model, l.Workspace, l.KeyId)] = l.Last;
        }

        return
        [
            .. rows.Select(r => r.ToSlice(r.NeedsExactLast ? exact.GetValueOrDefault((r.Account, r.Provider, r.Currency, r.Model, r.Workspace, r.KeyId), r.LastDay!.Value) : null)),
        ];
    }

    /// <summary>Requests and cost of one account's model in buckets starting in [from, to).</summary>
    public async Task<(long Requests, long CostMicros)> ModelUsageSinceAsync(string account, string model, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var w = DayWindow.Of(from, to);
        return await c.QuerySingleAsync<(long, long)>(
            """
            SELECT COALESCE(SUM(r), 0), COALESCE(SUM(cost), 0)
            FROM (SELECT SUM(requests) AS r, SUM(cost_micros) AS cost FROM usage_daily
                  WHERE model = @model AND day >= @split AND day < @tail AND account = @account
                  UNION ALL
                  SELECT SUM(requests), SUM(cost_micros) FROM usage_records
                  WHERE account = @account AND bucket_start >= @from AND bucket_start < @split AND model = @model AND counted = 1
                  UNION ALL
                  SELECT SUM(requests), SUM(cost_micros) FROM usage_records
                  WHERE account = @account AND bucket_start >= @tail AND bucket_start < @to AND bucket_start >= @from AND model = @model AND counted = 1) parts
            """, new { account, model, from = w.From, split = w.Split, tail = w.Tail, to = w.To });
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
    /// The ledger's last use: the last rolled-up day per key (an index seek), today's buckets from the ledger, and the
    /// exact hour only for keys last used before today.
    /// </summary>
    public async Task<IReadOnlyList<KeyState>> KeysAsync(DateTimeOffset asOf, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var at = asOf.ToUnixTimeSeconds();
        var tail = DayWindow.Floor(at);
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
                """, new { account, day, end = day + DayWindow.Day });
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
        await using var c = await database.OpenAsync(ct);
        var w = DayWindow.Of(from, to);
        // Per UTC day and model: whole days from the rollup, the partial days at both ends from the ledger (with their
        // exact first and last bucket; a rolled-up day gives its midnight and is made exact below).
        var parts = (await c.QueryAsync<(long Day, string Model, string Currency, long Requests, long Cost, long First, long Last, long Exact)>(
            """
            SELECT day, model, MIN(currency), SUM(requests), SUM(cost_micros), day, day, 0 FROM usage_daily
            WHERE key_id = @keyId AND day >= @split AND day < @tail AND account = @account
            GROUP BY day, model
            UNION ALL
            SELECT bucket_start - (bucket_start % 86400), model, MIN(currency), SUM(requests), COALESCE(SUM(cost_micros), 0),
                   MIN(bucket_start), MAX(bucket_start), 1 FROM usage_records
            WHERE account = @account AND key_id = @keyId
              AND ((bucket_start >= @from AND bucket_start < @split) OR (bucket_start >= @tail AND bucket_start < @to AND bucket_start >= @from))
              AND counted = 1
            GROUP BY bucket_start - (bucket_start % 86400), model
            """, new { account, keyId, from = w.From, split = w.Split, tail = w.Tail, to = w.To })).ToList();
        if (parts.Count == 0)
            return KeyUsage.None;

        var first = parts.MinBy(p => p.First);
        var last = parts.MaxBy(p => p.Last);
        var firstAt = first.Exact == 1 ? first.First : await EdgeBucketAsync(c, account, keyId, first.Day, "MIN");
        var lastAt = last.Exact == 1 ? last.Last : await EdgeBucketAsync(c, account, keyId, last.Day, "MAX");
        var models = parts.GroupBy(p => p.Model)
            .Select(g => (Model: g.Key, Currency: g.Select(p => p.Currency).Min(StringComparer.Ordinal)!, Requests: g.Sum(p => p.Requests), Cost: g.Sum(p => p.Cost)))
            .OrderByDescending(m => m.Cost).ThenBy(m => m.Model, StringComparer.Ordinal).ToList();
        return new KeyUsage
        {
            Requests = models.Sum(m => m.Requests),
            Cost = MoneyUnits.FromMicros(models.Sum(m => m.Cost)),
            Currency = Currencies.TryParse(models[0].Currency, out var currency) ? currency : null,
            Models = [.. models.Select(m => (m.Model, m.Requests, MoneyUnits.FromMicros(m.Cost)))],
            Days = [.. parts.GroupBy(p => p.Day).OrderBy(g => g.Key).Select(g => (DateTimeOffset.FromUnixTimeSeconds(g.Key), MoneyUnits.FromMicros(g.Sum(p => p.Cost))))],
            FirstAt = DateTimeOffset.FromUnixTimeSeconds(firstAt),
            LastAt = DateTimeOffset.FromUnixTimeSeconds(lastAt),
        };
    }

    /// <summary>The first (MIN) or last (MAX) bucket of a key on one rolled-up UTC day.</summary>
    private static Task<long> EdgeBucketAsync(DbConnection c, string account, string keyId, long day, string edge) =>
        c.QuerySingleAsync<long>(
            $"""
            SELECT {edge}(bucket_start) FROM usage_records
            WHERE account = @account AND bucket_start >= @day AND bucket_start < @end AND key_id = @keyId AND counted = 1
            """, new { account, keyId, day, end = day + DayWindow.Day });

    /// <summary>
    /// A window [From, To) cut at UTC day boundaries: the ledger's buckets in [From, Split) and [Tail, To), the daily
    /// rollup's whole days in [Split, Tail) (empty when the window lies inside one day). Split and Tail are midnights.
    /// </summary>
    private readonly record struct DayWindow(long From, long Split, long Tail, long To)
    {
        public const long Day = 86_400;

        public static DayWindow Of(DateTimeOffset from, DateTimeOffset to)
        {
            long f = from.ToUnixTimeSeconds(), t = to.ToUnixTimeSeconds();
            var tail = Floor(t);
            var firstWholeDay = Floor(f) == f ? f : Floor(f) + Day;
            return new DayWindow(f, Math.Min(firstWholeDay, tail), tail, t);
        }

        public static long Floor(long seconds) => seconds - (((seconds % Day) + Day) % Day);
    }

    /// <summary>A usage slice as read: the last ledger bucket, and the last rolled-up day (its hour not known yet).</summary>
    private sealed record SliceRow
    {
        public required string Account { get; init; }
        public required string Provider { get; init; }
        public required string Currency { get; init; }
        public required string Model { get; init; }
        public required string Workspace { get; init; }
        public required string KeyId { get; init; }
        public string? KeyName { get; init; }
        public long Input { get; init; }
        public long CachedInput { get; init; }
        public long CacheWrite { get; init; }
        public long Output { get; init; }
        public long Requests { get; init; }
        public long CostMicros { get; init; }
        public long? LastBucket { get; init; }
        public long? LastDay { get; init; }

        /// <summary>Its last bucket may lie on a rolled-up day after every ledger bucket read.</summary>
        public bool NeedsExactLast => LastDay is { } d && (LastBucket is not { } b || b < d + DayWindow.Day);

        public UsageSlice ToSlice(long? exactLast) => new()
        {
            Account = Account, Provider = Provider, Currency = Currency, Model = Model, Workspace = Workspace, KeyId = KeyId,
            KeyName = KeyName, Input = Input, CachedInput = CachedInput, CacheWrite = CacheWrite, Output = Output,
            Requests = Requests, CostMicros = CostMicros,
            LastBucket = Math.Max(exactLast ?? long.MinValue, LastBucket ?? LastDay ?? 0),
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
