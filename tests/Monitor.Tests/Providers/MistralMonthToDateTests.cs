using Monitor.Demo;
using Monitor.Tests.Support;

namespace Monitor.Tests.Providers;

/// <summary>Mistral's usage is month-to-date: polls become hourly buckets through the real pull path.</summary>
public sealed class MistralMonthToDateTests
{
    private static readonly (string, string)[] MistralOnly = [("mistral", "Mistral")];

    [Fact]
    public async Task PullAsync_HourlyPolls_LedgerHoursEqualTheTrueHours()
    {
        await using var h = await PullHarness.StartAsync(days: 30, accounts: MistralOnly, clockStart: PullHarness.Now.AddDays(-3));
        var firstPoll = h.Scenario.End.AddHours(-6);
        for (var poll = firstPoll; poll <= h.Scenario.End; poll = poll.AddHours(1))
        {
            h.Scenario.VisibleUntil = poll;
            h.Ledger.Clock.SetUtcNow(poll);
            var result = (await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None)).Single();
            Assert.True(result.Ok, result.Error);
        }

        var truth = h.Scenario.Hours.Where(x => x.Provider == DemoScenario.Mistral && x.HourStart >= firstPoll && x.HourStart < h.Scenario.End)
            .GroupBy(x => (x.Workspace, x.Model, Hour: x.HourStart.ToUnixTimeSeconds()))
            .ToDictionary(g => g.Key, g => (Input: g.Sum(x => x.InputTokens), Cached: g.Sum(x => x.CachedInputTokens), Output: g.Sum(x => x.OutputTokens), Cost: decimal.Round(g.Sum(h.Scenario.CostOf), 6)));
        var hourly = (await h.Ledger.QueryAsync<(string Workspace, string Model, long Hour, long Input, long Cached, long Output, long Cost)>(
            "SELECT workspace, model, bucket_start, input_tokens, cached_input_tokens, output_tokens, cost_micros FROM usage_records WHERE bucket_width = '1h'"))
            .ToDictionary(r => (r.Workspace, r.Model, r.Hour));

        Assert.Equal(truth.Keys.Order(), hourly.Keys.Order());
        foreach (var (key, t) in truth)
        {
            var l = hourly[key];
            Assert.Equal((t.Input, t.Cached, t.Output), (l.Input, l.Cached, l.Output));
            // The fake rounds each of its three amount rows (input, cached, output) to 6 decimals, so the difference of two
            // month-to-date totals may be up to 3 micro-units off the exact hour; tokens are exact.
            Assert.InRange(l.Cost - (long)decimal.Round(t.Cost * 1_000_000m), -3, 3);
        }
    }

    [Fact]
    public async Task PullAsync_MonthTotal_AlwaysEqualsTheLatestMonthToDate()
    {
        await using var h = await PullHarness.StartAsync(days: 30, accounts: MistralOnly, clockStart: PullHarness.Now.AddDays(-3));
        foreach (var poll in new[] { h.Scenario.End.AddHours(-30), h.Scenario.End.AddHours(-29), h.Scenario.End.AddHours(-3), h.Scenario.End })
        {
            h.Scenario.VisibleUntil = poll;
            h.Ledger.Clock.SetUtcNow(poll);
            await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None);
        }

        var month = new DateTimeOffset(h.Scenario.End.Year, h.Scenario.End.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var expected = h.Scenario.Hours.Where(x => x.Provider == DemoScenario.Mistral && x.HourStart >= month).Sum(x => x.InputTokens + x.CachedInputTokens + x.OutputTokens);
        var ledger = await h.Ledger.ScalarAsync<long>("SELECT SUM(input_tokens + cached_input_tokens + output_tokens) FROM usage_records WHERE bucket_start >= @m", new { m = month.ToUnixTimeSeconds() });

        Assert.Equal(expected, ledger);
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records WHERE input_tokens < 0 OR output_tokens < 0 OR cost_micros < 0"));
        // Four polls that each changed something: no more, however often the month is re-read.
        Assert.True(await h.Ledger.ScalarAsync<long>("SELECT COUNT(DISTINCT taken_at) FROM usage_snapshots WHERE month_start = @m", new { m = month.ToUnixTimeSeconds() }) == 4);
    }

    [Fact]
    public async Task PullAsync_AcrossMonthRollover_BothMonthsKeepTheirExactTotals()
    {
        await using var h = await PullHarness.StartAsync(days: 30, accounts: MistralOnly, clockStart: new DateTimeOffset(2026, 10, 30, 0, 0, 0, TimeSpan.Zero));
        // The scenario ends on 2026-11-22; play a rollover inside it: polls at the end of October and early November.
        var november = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var october = november.AddMonths(-1);
        foreach (var poll in new[] { november.AddHours(-2), november.AddHours(3) })
        {
            h.Scenario.VisibleUntil = poll;
            h.Ledger.Clock.SetUtcNow(poll);
            var result = (await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None)).Single();
            Assert.True(result.Ok, result.Error);
        }

        long Truth(DateTimeOffset from, DateTimeOffset to) => h.Scenario.Hours
            .Where(x => x.Provider == DemoScenario.Mistral && x.HourStart >= from && x.HourStart < to && x.HourStart < november.AddHours(3))
            .Sum(x => x.InputTokens);
        async Task<long> Ledger(DateTimeOffset from, DateTimeOffset to) => await h.Ledger.ScalarAsync<long>(
            "SELECT COALESCE(SUM(input_tokens), 0) FROM usage_records WHERE bucket_start >= @from AND bucket_start < @to",
            new { from = from.ToUnixTimeSeconds(), to = to.ToUnixTimeSeconds() });

        Assert.Equal(Truth(october, november), await Ledger(october, november));
        Assert.Equal(Truth(november, november.AddMonths(1)), await Ledger(november, november.AddMonths(1)));
        Assert.True(await Ledger(november.AddHours(-2), november) > 0); // October's last two hours got October's final growth
    }
}
