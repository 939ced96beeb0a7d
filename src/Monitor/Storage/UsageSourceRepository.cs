using Dapper;
using Monitor.Core.Keys;
using Monitor.Core.Usage;
using Monitor.Hosting;

namespace Monitor.Storage;

/// <summary>
/// Which usage source each account counts (<c>account_usage_sources</c>, migration 0015). At start the configured
/// choice (<see cref="ProviderOptions.CountedSource"/>) is compared with the recorded one; where it changed, the
/// account's rows are re-marked (<c>counted</c> by source), its daily rollup rebuilt and its anomaly series queued for
/// a rebuild, all in one transaction with the new choice: a switch of <c>UsageFrom</c> moves the totals from one source
/// to the other and never adds them. It also reads what only this concern reads: the uncounted source beside the
/// counted one, and both sources side by side per UTC day (unmetered usage).
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
            var remarked = await SwitchAsync(c, account.Name, choice, ct);
            changes.Add(new UsageSourceChange(account.Name, was, choice, remarked));
        }

        return changes;
    }

    private async Task<int> SwitchAsync(System.Data.Common.DbConnection c, string account, string choice, CancellationToken ct)
    {
        // A write transaction from the start: a pull of another process waits for the switch instead of writing rows marked the old way.
        await using var tx = await Sql.BeginWriteAsync(c, ct);
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

    /// <summary>
    /// Per account that has rows of both sources or an uncounted one in [from, to): which source it counts, and each
    /// source's cost per currency, tokens and requests (the dashboard shows the other beside the counted one).
    /// </summary>
    public async Task<IReadOnlyList<SourceTotals>> TotalsAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var range = new { from = from.ToUnixTimeSeconds(), to = to.ToUnixTimeSeconds() };
        // Per recorded account through the primary key (account, bucket_start): only that account's rows of the window.
        var rows = await c.QueryAsync<SourceTotalsRow>(new CommandDefinition(
            $"""
            SELECT s.account AS Account, s.usage_from AS UsageFrom, {Sql.Flag("u.source = 'proxy'")} AS Metered, u.counted AS Counted, u.currency AS Currency,
                   CAST(COALESCE(SUM(u.cost_micros), 0) AS BIGINT) AS CostMicros, CAST(SUM(CASE WHEN u.cost_micros IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS UnpricedRows,
                   CAST(SUM({Tokens}) AS BIGINT) AS Tokens, CAST(SUM(u.requests) AS BIGINT) AS Requests
            FROM account_usage_sources s
            JOIN usage_records u ON u.account = s.account AND u.bucket_start >= @from AND u.bucket_start < @to
            GROUP BY s.account, s.usage_from, {Sql.Flag("u.source = 'proxy'")}, u.counted, u.currency
            ORDER BY s.account, Metered, u.currency
            """, range, cancellationToken: ct));
        return
        [
            .. rows.GroupBy(r => r.Account, StringComparer.Ordinal)
                .Where(g => g.Any(r => !r.Counted))
                .Select(g => new SourceTotals
                {
                    Account = g.Key,
                    Counted = g.First().UsageFrom,
                    CountedUsage = [.. g.Where(r => r.Counted).Select(r => r.ToUsage())],
                    Other = [.. g.Where(r => !r.Counted).Select(r => r.ToUsage())],
                }),
        ];
    }

    /// <summary>
    /// The completed UTC days in [from, to) of every account with both sources, compared (see <see cref="UnmeteredUsage"/>).
    /// A day is complete once <paramref name="settle"/> has passed since it ended, both by <paramref name="asOf"/> and by
    /// the account's provider data (its last successful pull or newest provider row): the provider's day may close late.
    /// Days are compared from the first day of the window the proxy metered anything for the account.
    /// </summary>
    public async Task<IReadOnlyList<UnmeteredDay>> UnmeteredDaysAsync(
        DateTimeOffset from, DateTimeOffset to, DateTimeOffset asOf, TimeSpan settle, UnmeteredRules rules, CancellationToken ct)
    {
        var first = UsageRollup.DayOf(from.ToUnixTimeSeconds() + UsageRollup.Day - 1);
        var end = Math.Min(UsageRollup.DayOf(to.ToUnixTimeSeconds()), UsageRollup.DayOf((asOf - settle).ToUnixTimeSeconds()));
        if (end <= first)
            return [];
        await using var c = await database.OpenAsync(ct);
        var rows = (await c.QueryAsync<ComparisonRow>(new CommandDefinition(
            $"""
            SELECT account AS Account, {Sql.DayOf("bucket_start")} AS Day, model AS Model, key_id AS KeyId,
                   {Sql.Flag("source = 'proxy'")} AS Metered, currency AS Currency,
                   CAST(COALESCE(SUM(cost_micros), 0) AS BIGINT) AS CostMicros, CAST(SUM(CASE WHEN cost_micros IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS UnpricedRows,
                   CAST(SUM({Tokens}) AS BIGINT) AS Tokens, CAST(SUM(requests) AS BIGINT) AS Requests, MAX(ingested_at) AS IngestedAt
            FROM usage_records
            WHERE bucket_start >= @first AND bucket_start < @end AND bucket_width <> 'month'
            GROUP BY account, {Sql.DayOf("bucket_start")}, model, key_id, {Sql.Flag("source = 'proxy'")}, currency
            """, new { first, end }, cancellationToken: ct))).ToList();
        var accounts = rows.GroupBy(r => r.Account, StringComparer.Ordinal)
            .Where(g => g.Any(r => r.Metered) && g.Any(r => !r.Metered)).ToList();
        if (accounts.Count == 0)
            return [];

        var pulled = (await c.QueryAsync<(string Account, long At)>(new CommandDefinition(
                "SELECT account, MAX(started_at) FROM pull_runs WHERE outcome = 'ok' AND started_at <= @asOf GROUP BY account",
                new { asOf = asOf.ToUnixTimeSeconds() }, cancellationToken: ct)))
            .ToDictionary(p => p.Account, p => p.At, StringComparer.Ordinal);
        var keys = (await c.QueryAsync<KeyRow>(new CommandDefinition(
                "SELECT account AS Account, key_id AS KeyId, name AS Name, workspace AS Workspace, fingerprint AS Fingerprint, last_four AS LastFour FROM api_keys",
                cancellationToken: ct)))
            .ToLookup(k => k.Account, k => new ApiKeyInfo { KeyId = k.KeyId, Name = k.Name, Workspace = k.Workspace, Fingerprint = k.Fingerprint, LastFour = k.LastFour }, StringComparer.Ordinal);
        var settled = (long)settle.TotalSeconds;
        var days = new List<UnmeteredDay>();
        foreach (var account in accounts)
        {
            // The provider's data reaches as far as its last good pull, or its newest row for an imported account.
            var horizon = Math.Max(pulled.GetValueOrDefault(account.Key), account.Where(r => !r.Metered).Max(r => r.IngestedAt));
            var since = account.Where(r => r.Metered).Min(r => r.Day);
            foreach (var day in account.Where(r => r.Day >= since && r.Day + UsageRollup.Day + settled <= horizon).GroupBy(r => r.Day).OrderBy(d => d.Key))
            {
                days.Add(UnmeteredUsage.Compare(
                    account.Key, DateTimeOffset.FromUnixTimeSeconds(day.Key), [.. day.Select(r => r.ToUsage())], [.. keys[account.Key]], rules));
            }
        }

        return days;
    }

    private const string Tokens = "input_tokens + cached_input_tokens + cache_write_tokens + output_tokens";

    private sealed record SourceTotalsRow
    {
        public string Account { get; init; } = "";
        public string UsageFrom { get; init; } = "";
        public bool Metered { get; init; }
        public bool Counted { get; init; }
        public string Currency { get; init; } = "";
        public long CostMicros { get; init; }
        public long UnpricedRows { get; init; }
        public long Tokens { get; init; }
        public long Requests { get; init; }

        public SourceUsage ToUsage() => new("", "", Metered, Currency, CostMicros, UnpricedRows, Tokens, Requests);
    }

    private sealed record ComparisonRow
    {
        public string Account { get; init; } = "";
        public long Day { get; init; }
        public string Model { get; init; } = "";
        public string KeyId { get; init; } = "";
        public bool Metered { get; init; }
        public string Currency { get; init; } = "";
        public long CostMicros { get; init; }
        public long UnpricedRows { get; init; }
        public long Tokens { get; init; }
        public long Requests { get; init; }
        public long IngestedAt { get; init; }

        public SourceUsage ToUsage() => new(Model, KeyId, Metered, Currency, CostMicros, UnpricedRows, Tokens, Requests);
    }

    private sealed record KeyRow(string Account, string KeyId, string? Name, string Workspace, string? Fingerprint, string? LastFour);
}
