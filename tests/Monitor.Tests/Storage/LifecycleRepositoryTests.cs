using Dapper;
using Monitor.Storage;
using Monitor.Tests.Support;

namespace Monitor.Tests.Storage;

/// <summary>
/// The lifecycle reads combine whole days of the daily rollup with the ledger's partial days: on a real ledger they must
/// give exactly what summing the hourly buckets gives, last hours included.
/// </summary>
public sealed class LifecycleRepositoryTests
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 22, 15, 30, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset StaleLast = new(2026, 11, 19, 17, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset TodayLast = new(2026, 11, 22, 14, 0, 0, TimeSpan.Zero);

    /// <summary>Each window on each dialect.</summary>
    public static TheoryData<SqlDialect, string, string> Windows
    {
        get
        {
            var data = new TheoryData<SqlDialect, string, string>();
            foreach (var dialect in new[] { SqlDialect.Sqlite, SqlDialect.Postgres })
            {
                foreach (var row in WindowList)
                    data.Add(dialect, (string)row[0], (string)row[1]);
            }

            return data;
        }
    }

    public static TheoryData<string, string> WindowList => new()
    {
        { "2026-10-23T15:30:00Z", "2026-11-22T15:30:00Z" }, // the 30-day window of a mid-day check
        { "2026-11-01T00:00:00Z", "2026-11-22T15:30:00Z" }, // month to date
        { "2026-11-19T10:30:00Z", "2026-11-19T20:00:00Z" }, // inside one day
        { "2026-11-18T00:00:00Z", "2026-11-20T00:00:00Z" }, // whole days only
        { "2026-11-15T05:30:00Z", "2026-11-19T17:00:00Z" }, // ends just before the stale key's last bucket
    };

    [Theory]
    [MemberData(nameof(Windows))]
    public async Task UsageAsync_AnyWindow_EqualsTheHourlyLedgerSummed(SqlDialect dialect, string from, string to)
    {
        using var ledger = await SeedAsync(dialect);
        var (f, t) = (DateTimeOffset.Parse(from, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse(to, System.Globalization.CultureInfo.InvariantCulture));

        var slices = await new LifecycleRepository(ledger.Database).UsageAsync(f, t, CancellationToken.None);

        var expected = await ledger.QueryAsync<UsageSlice>(
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
            ORDER BY u.model, u.key_id
            """,
            new { from = f.ToUnixTimeSeconds(), to = t.ToUnixTimeSeconds(), monthFrom = new DateTimeOffset(f.Year, f.Month, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds() });
        Assert.NotEmpty(expected);
        Assert.Equal(expected, [.. slices.OrderBy(s => s.Model, StringComparer.Ordinal).ThenBy(s => s.KeyId, StringComparer.Ordinal)]);
    }

    [Theory, BothDialects]
    public async Task KeysAsync_KeyLastUsedOnAnEarlierDay_LastUsedIsItsExactLastHour(SqlDialect dialect)
    {
        using var ledger = await SeedAsync(dialect);

        var keys = (await new LifecycleRepository(ledger.Database).KeysAsync(AsOf, CancellationToken.None)).ToDictionary(k => k.Key.KeyId);

        Assert.Equal(StaleLast, keys["key-stale"].LastUsedAt);
        Assert.Equal(TodayLast, keys["key-today"].LastUsedAt); // its bucket after as-of is not seen
        Assert.Null(keys["key-never"].LastUsedAt);
        Assert.All(keys.Values, k => Assert.True(k.UsageKnown));
    }

    [Theory, BothDialects]
    public async Task KeyUsageAsync_FromMidDay_ExactFirstAndLastBucketsTotalsAndDays(SqlDialect dialect)
    {
        using var ledger = await SeedAsync(dialect);
        var from = new DateTimeOffset(2026, 11, 12, 10, 30, 0, TimeSpan.Zero);

        var usage = await new LifecycleRepository(ledger.Database).KeyUsageAsync("acct", "key-stale", from, AsOf, CancellationToken.None);

        // Hours 11:00 on the 12th to 17:00 on the 19th: 13 + 6 * 24 + 18 = 175 buckets of each of two models.
        Assert.Equal((new DateTimeOffset(2026, 11, 12, 11, 0, 0, TimeSpan.Zero), StaleLast), (usage.FirstAt, usage.LastAt));
        Assert.Equal(175 * 2 * 3, usage.Requests);
        Assert.Equal([("m-big", 175 * 3L, 175 * 2m), ("m-small", 175 * 3L, 175 * 1m)], usage.Models);
        Assert.Equal(8, usage.Days.Count);
        Assert.Equal((from.Date, 13 * 3m), (usage.Days[0].Day.UtcDateTime, usage.Days[0].Cost));
        Assert.Equal((StaleLast.Date, 18 * 3m), (usage.Days[^1].Day.UtcDateTime, usage.Days[^1].Cost));
    }

    [Theory, BothDialects]
    public async Task ModelUsageSinceAsync_FromMidDay_CountsOnlyBucketsFromThen(SqlDialect dialect)
    {
        using var ledger = await SeedAsync(dialect);

        var (requests, cost) = await new LifecycleRepository(ledger.Database).ModelUsageSinceAsync(
            "acct", "m-big", new DateTimeOffset(2026, 11, 19, 12, 0, 0, TimeSpan.Zero), AsOf, CancellationToken.None);

        // key-stale 12:00-17:00 on the 19th (6 buckets) and key-today 19th 12:00 to 22nd 14:00 (12 + 48 + 15 = 75 buckets).
        Assert.Equal((81 * 3L, 81 * 2_000_000L), (requests, cost));
    }

    /// <summary>
    /// acct: key-stale calls m-big and m-small hourly from 2026-11-10 03:00 to 11-19 17:00; key-today calls m-big hourly
    /// from 11-15 05:00 to 11-22 14:00 and once after as-of; an unkeyed month bucket on 11-01; key-never is listed only.
    /// Every bucket: 3 requests, m-big 2 and m-small 1 currency unit.
    /// </summary>
    [Theory, BothDialects]
    public async Task SaveDeclaredKeysAsync_SameKeysAgain_UpdatesNoRow_ChangedKey_IsUpdated(SqlDialect dialect)
    {
        // The dashboard reads keys through here: a read must not rewrite rows (PostgreSQL would keep a new version of
        // each). A trigger counts the updates that actually run.
        using var ledger = new TempLedger(AsOf, dialect);
        var repository = new LifecycleRepository(ledger.Database);
        var key = new Monitor.Core.Keys.ApiKeyInfo { KeyId = "ci", Name = "ci", Owner = "ops@example.com", CreatedAt = AsOf.AddDays(-30) };
        await repository.SaveDeclaredKeysAsync([("kilo", key)], CancellationToken.None);
        await ledger.ScalarAsync<long?>(dialect == SqlDialect.Postgres
            ? """
              CREATE TABLE key_updates (n INTEGER NOT NULL);
              CREATE FUNCTION count_key_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO key_updates VALUES (1); RETURN NEW; END $$;
              CREATE TRIGGER count_key_updates AFTER UPDATE ON api_keys FOR EACH ROW EXECUTE FUNCTION count_key_update();
              """
            : """
              CREATE TABLE key_updates (n INTEGER NOT NULL);
              CREATE TRIGGER count_key_updates AFTER UPDATE ON api_keys BEGIN INSERT INTO key_updates VALUES (1); END;
              """);

        await repository.SaveDeclaredKeysAsync([("kilo", key)], CancellationToken.None);
        var afterSame = await ledger.QueryAsync<long>("SELECT COUNT(*) FROM key_updates");
        await repository.SaveDeclaredKeysAsync([("kilo", key with { Owner = "platform@example.com" })], CancellationToken.None);

        Assert.Equal([0L], afterSame);
        Assert.Equal([1L], await ledger.QueryAsync<long>("SELECT COUNT(*) FROM key_updates"));
        Assert.Equal(["platform@example.com"], await ledger.QueryAsync<string>("SELECT owner FROM api_keys WHERE key_id = 'ci'"));
    }

    [Theory, BothDialects]
    public async Task RecordAliasUsesAsync_UsageDays_AddOnlyWhatTheHistoryDoesNotSay_AndRereadingAddsNothing(SqlDialect dialect)
    {
        using var ledger = new TempLedger(AsOf, dialect);
        await using var c = await ledger.Database.OpenAsync(CancellationToken.None);
        await c.ExecuteAsync("INSERT INTO model_alias_history VALUES ('m', 'small-latest', 'small-2603', @at, @at)", new { at = AsOf.ToUnixTimeSeconds() });
        Monitor.Core.Deprecations.AliasObservation Seen(string model, int day) =>
            new("m", "small-latest", model, new DateTimeOffset(2026, 11, day, 0, 0, 0, TimeSpan.Zero));
        // The 3rd: nothing known yet; the 4th: as known; the 20th: moved; the 22nd: the model list saw it that day, more precisely.
        Monitor.Core.Deprecations.AliasObservation[] seen = [Seen("small-2506", 3), Seen("small-2506", 4), Seen("small-2603", 20), Seen("small-2506", 22)];

        for (var pass = 0; pass < 2; pass++)
        {
            await using var tx = await c.BeginTransactionAsync();
            await LifecycleRepository.RecordAliasUsesAsync(c, tx, seen);
            await tx.CommitAsync();
        }

        var history = await ledger.QueryAsync<(string, long)>("SELECT model, first_seen_at FROM model_alias_history ORDER BY first_seen_at");
        Assert.Equal(
            [("small-2506", Seen("", 3).FirstSeenAt.ToUnixTimeSeconds()), ("small-2603", Seen("", 20).FirstSeenAt.ToUnixTimeSeconds()), ("small-2603", AsOf.ToUnixTimeSeconds())],
            history);
    }

    private static async Task<TempLedger> SeedAsync(SqlDialect dialect)
    {
        var ledger = new TempLedger(AsOf, dialect);
        await using var c = await ledger.Database.OpenAsync(CancellationToken.None);
        await using var tx = await c.BeginTransactionAsync();
        var rows = new List<(string Key, string Model, DateTimeOffset At, string Width)>();
        for (var at = new DateTimeOffset(2026, 11, 10, 3, 0, 0, TimeSpan.Zero); at <= StaleLast; at = at.AddHours(1))
            rows.AddRange([("key-stale", "m-big", at, "1h"), ("key-stale", "m-small", at, "1h")]);
        for (var at = new DateTimeOffset(2026, 11, 15, 5, 0, 0, TimeSpan.Zero); at <= TodayLast; at = at.AddHours(1))
            rows.Add(("key-today", "m-big", at, "1h"));
        rows.Add(("key-today", "m-big", AsOf.AddMinutes(30), "1h"));
        rows.Add(("", "m-month", new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), "month"));
        foreach (var (key, model, at, width) in rows)
        {
            await c.ExecuteAsync(
                """
                INSERT INTO usage_records (account, provider, workspace, key_id, model, bucket_start, bucket_width, input_tokens,
                    cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, requests, cost_micros, currency,
                    cost_source, source, ingested_at, batch_id)
                VALUES ('acct', 'openai', 'proj', @key, @model, @at, @width, 100, 10, 0, 40, 0, 3, @cost, 'USD', 'estimated', 'import', @at, 0)
                """, new { key, model, at = at.ToUnixTimeSeconds(), width, cost = model == "m-small" ? 1_000_000 : 2_000_000 }, tx);
        }

        // Raw rows bypass the ledger transaction: roll the days up as its commit would.
        await UsageRollup.RefreshAsync(c, tx, "acct", 0, AsOf.AddDays(2).ToUnixTimeSeconds(), CancellationToken.None);
        foreach (var key in new[] { "key-stale", "key-today", "key-never" })
        {
            await c.ExecuteAsync(
                """
                INSERT INTO api_keys (account, key_id, name, kind, workspace, status, first_seen_at, last_seen_at, source)
                VALUES ('acct', @key, @key, 'api', 'proj', 'active', 0, 0, 'api')
                """, new { key }, tx);
        }

        await tx.CommitAsync();
        return ledger;
    }
}
