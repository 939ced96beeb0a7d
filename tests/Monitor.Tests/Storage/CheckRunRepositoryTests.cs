using Monitor.Storage;
using Monitor.Tests.Support;

namespace Monitor.Tests.Storage;

public sealed class CheckRunRepositoryTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 15, 0, 0, TimeSpan.Zero);

    [Theory, BothDialects]
    public async Task LastAsOf_FailedAndReplayedChecks_NeitherMovesTheMarkForwardNorBack(SqlDialect dialect)
    {
        using var ledger = new TempLedger(Now, dialect);
        var runs = new CheckRunRepository(ledger.Database);
        async Task RunAsync(DateTimeOffset asOf, string? error)
        {
            var id = await runs.StartAsync(asOf, Now, CancellationToken.None);
            await runs.FinishAsync(id, Now, 0, error, CancellationToken.None);
        }

        var none = await runs.LastAsOfAsync(CancellationToken.None);
        await RunAsync(Now, null);
        await RunAsync(Now.AddHours(1), "anomalies: database is locked"); // failed: its buckets must be looked at again
        await RunAsync(Now.AddDays(-3), null); // a replay of the past
        await runs.StartAsync(Now.AddHours(2), Now, CancellationToken.None); // still running (or crashed)

        Assert.Null(none);
        Assert.Equal(Now, await runs.LastAsOfAsync(CancellationToken.None));
    }
}
