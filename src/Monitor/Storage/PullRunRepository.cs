using System.Data.Common;
using Dapper;

namespace Monitor.Storage;

/// <summary>Watermarks (how far each account and endpoint has been pulled) and the record of every pull run.</summary>
public sealed class PullRunRepository(Database database)
{
    public async Task<DateTimeOffset?> WatermarkAsync(string account, string endpoint, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var seconds = await c.ExecuteScalarAsync<long?>(
            "SELECT watermark FROM watermarks WHERE account = @account AND endpoint = @endpoint", new { account, endpoint });
        return seconds is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null;
    }

    /// <summary>Moves the watermark forward only (a backfill of older history never moves it back).</summary>
    public static Task AdvanceWatermarkAsync(DbConnection c, DbTransaction tx, string account, string endpoint, DateTimeOffset to, DateTimeOffset now) =>
        c.ExecuteAsync(
            """
            INSERT INTO watermarks (account, endpoint, watermark, updated_at) VALUES (@account, @endpoint, @to, @now)
            ON CONFLICT (account, endpoint) DO UPDATE SET
                watermark = CASE WHEN excluded.watermark > watermarks.watermark THEN excluded.watermark ELSE watermarks.watermark END,
                updated_at = excluded.updated_at
            """,
            new { account, endpoint, to = to.ToUnixTimeSeconds(), now = now.ToUnixTimeSeconds() }, tx);

    public static Task RecordAsync(DbConnection c, DbTransaction? tx, PullRun run) =>
        c.ExecuteAsync(
            """
            INSERT INTO pull_runs (account, endpoint, window_start, window_end, records, started_at, duration_ms, outcome, error, drift)
            VALUES (@Account, @Endpoint, @windowStart, @windowEnd, @Records, @startedAt, @DurationMs, @Outcome, @Error, @Drift)
            """,
            new
            {
                run.Account, run.Endpoint, windowStart = run.WindowStart?.ToUnixTimeSeconds(), windowEnd = run.WindowEnd?.ToUnixTimeSeconds(),
                run.Records, startedAt = run.StartedAt.ToUnixTimeSeconds(), run.DurationMs, run.Outcome, run.Error, run.Drift,
            },
            tx);

    /// <summary>
    /// Records a failed run, and the drift it saw, on its own connection: the failed pull's transaction has been rolled
    /// back. Returns the drift not yet seen today.
    /// </summary>
    public async Task<IReadOnlyList<Providers.DriftItem>> RecordFailureAsync(PullRun run, IReadOnlyList<Providers.DriftItem> drift, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var fresh = await ProviderDriftRepository.RecordAsync(c, tx, run.Account, drift, run.StartedAt);
        await RecordAsync(c, tx, run with { Drift = ProviderDriftRepository.Describe(drift) });
        await tx.CommitAsync(ct);
        return fresh;
    }

    /// <summary>First attempt, last success and last failure (with its error) of each named account.</summary>
    public async Task<IReadOnlyList<Core.Alerts.AccountPullState>> StatesAsync(IEnumerable<string> accounts, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var states = new List<Core.Alerts.AccountPullState>();
        foreach (var account in accounts)
        {
            var row = await c.QuerySingleAsync<(long? First, long? Ok, long? Failed)>(
                """
                SELECT MIN(started_at), MAX(CASE WHEN outcome = 'ok' THEN started_at END), MAX(CASE WHEN outcome = 'failed' THEN started_at END)
                FROM pull_runs WHERE account = @account
                """, new { account });
            var error = await c.QueryFirstOrDefaultAsync<string?>(
                "SELECT error FROM pull_runs WHERE account = @account AND outcome = 'failed' ORDER BY started_at DESC, id DESC LIMIT 1", new { account });
            states.Add(new Core.Alerts.AccountPullState(account, Time(row.First), Time(row.Ok), Time(row.Failed), error));
        }

        return states;
    }

    private static DateTimeOffset? Time(long? seconds) => seconds is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null;
}
