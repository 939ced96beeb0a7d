using Monitor.Checks;
using Monitor.Storage;
using Monitor.Tests.Support;

namespace Monitor.Tests.Checks;

public sealed class StaleDataEvaluatorTests
{
    [Theory, BothDialects]
    public async Task Check_NoSuccessForLongerThanStaleAfter_AlertsOncePerStaleStretch(SqlDialect dialect)
    {
        await using var h = await PullHarness.StartAsync(days: 7, clockStart: PullHarness.Now.AddDays(-2), dialect: dialect);
        var checks = h.Get<CheckService>();
        var seen = 0L;
        async Task<long> StaleAsync()
        {
            await checks.RunAsync(null, send: false, CancellationToken.None);
            var total = await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM alerts WHERE kind = 'stale_data'");
            (var added, seen) = (total - seen, total);
            return added;
        }

        await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None);

        h.Ledger.Clock.Advance(TimeSpan.FromHours(5));
        var early = await StaleAsync();
        h.Ledger.Clock.Advance(TimeSpan.FromHours(2));
        var first = await StaleAsync();
        var again = await StaleAsync();
        await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None); // recovered
        h.Ledger.Clock.Advance(TimeSpan.FromHours(7));
        var secondStretch = await StaleAsync();

        Assert.Equal((0L, 2L, 0L, 2L), (early, first, again, secondStretch));
        var alerts = await h.Ledger.QueryAsync<(string Kind, string Status, string Account, string Title)>(
            "SELECT kind, status, account, title FROM alerts WHERE kind = 'stale_data' ORDER BY id");
        Assert.Equal(4, alerts.Count);
        Assert.All(alerts, a => Assert.Equal(("stale_data", "open"), (a.Kind, a.Status)));
        Assert.Contains(alerts, a => a.Title == "[Stale data] mistral-test: no successful pull for 7 h 0 min");
    }

    [Theory, BothDialects]
    public async Task Check_AccountThatNeverSucceeded_AlertsWithTheLastError(SqlDialect dialect)
    {
        await using var h = await PullHarness.StartAsync(days: 7, keyOverride: "wrong", clockStart: PullHarness.Now.AddDays(-2), dialect: dialect);
        await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None);
        h.Ledger.Clock.Advance(TimeSpan.FromHours(8));

        await h.Get<CheckService>().RunAsync(null, send: false, CancellationToken.None);

        var details = await h.Ledger.QueryAsync<string>("SELECT detail FROM alerts WHERE dedup_key LIKE 'stale_data:%:never'");
        Assert.Equal(2, details.Count);
        Assert.All(details, d => Assert.Contains("HTTP 401", d, StringComparison.Ordinal));
    }
}
