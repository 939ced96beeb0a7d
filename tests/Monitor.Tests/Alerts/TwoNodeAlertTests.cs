using Microsoft.Extensions.DependencyInjection;
using Monitor.Checks;
using Monitor.Storage;
using Monitor.Tests.Support;

namespace Monitor.Tests.Alerts;

/// <summary>
/// Two nodes on one ledger checking the same budgets at the same moment: the database alone (dedup keys, the raising
/// lock, the outbox's leases) makes each threshold one alert and one mail, on both dialects.
/// </summary>
public sealed class TwoNodeAlertTests
{
    private static readonly DateTimeOffset November = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static Dictionary<string, string?> Budgets(int count)
    {
        var settings = new Dictionary<string, string?>();
        for (var i = 0; i < count; i++)
        {
            settings[$"Monitor:Budgets:{i}:Name"] = $"team-{i}";
            settings[$"Monitor:Budgets:{i}:Scope:Workspace"] = "search";
            settings[$"Monitor:Budgets:{i}:Amount"] = (100 + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings[$"Monitor:Budgets:{i}:Currency"] = "USD";
            settings[$"Monitor:Budgets:{i}:Period"] = "Month";
            settings[$"Monitor:Budgets:{i}:TimeZone"] = "UTC";
            settings[$"Monitor:Budgets:{i}:Forecast"] = "false";
        }

        return settings;
    }

    [Theory, BothDialects]
    public async Task Check_TwoNodesAtOnce_EachCrossingIsOneAlertAndOneMail(SqlDialect dialect)
    {
        // USD 1 an hour for 85 hours: every budget is past 80 %, one alert each (the highest threshold crossed).
        await using var h = CheckHarness.Start(November.AddHours(85), Budgets(10), dialect);
        await h.AddHourlyAsync("acct", "k1", "gpt-4o", "USD", November, 85, _ => 1m, workspace: "search");
        await using var second = h.StartSecondNode();

        var runs = await Task.WhenAll(
            Task.Run(() => h.Checks.RunAsync(null, true, CancellationToken.None)),
            Task.Run(() => second.GetRequiredService<CheckService>().RunAsync(null, true, CancellationToken.None)));

        Assert.All(runs, r => Assert.Empty(r.Failures));
        Assert.Equal(10, runs.Sum(r => r.Raised));
        var keys = await h.Ledger.QueryAsync<string>("SELECT dedup_key FROM alerts");
        Assert.Equal(10, keys.Count);
        Assert.Equal(10, keys.Distinct().Count());
        var queued = await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM outbox");
        Assert.Equal(10, queued);
        Assert.Equal(queued, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL"));
        Assert.Equal(queued, Directory.GetFiles(h.Pickup, "*.eml").Length);
    }

    [Theory, BothDialects]
    public async Task CheckAndSend_TwoNodesAtOnce_EachAlertReachesEachChannelOnce(SqlDialect dialect)
    {
        await using var receiver = await HookReceiver.StartAsync();
        var settings = Budgets(10);
        ChannelSettings.Add(settings, 0, "hook", "Webhook", receiver.Url("/hook"));
        ChannelSettings.Add(settings, 1, "slack", "Slack", receiver.Url("/slack"), new Dictionary<string, string?> { ["Cooldown"] = "00:00:00" });
        await using var h = CheckHarness.Start(November.AddHours(85), settings, dialect);
        await h.AddHourlyAsync("acct", "k1", "gpt-4o", "USD", November, 85, _ => 1m, workspace: "search");
        await using var second = h.StartSecondNode();

        // Both nodes check and send at once, and a third round sends on the second node while they do.
        var sending = Task.Run(() => second.GetRequiredService<Monitor.Alerts.OutboxDispatcher>().SendDueAsync(CancellationToken.None));
        var runs = await Task.WhenAll(
            Task.Run(() => h.Checks.RunAsync(null, true, CancellationToken.None)),
            Task.Run(() => second.GetRequiredService<CheckService>().RunAsync(null, true, CancellationToken.None)));
        await sending;
        await h.Get<Monitor.Alerts.OutboxDispatcher>().SendDueAsync(CancellationToken.None);

        Assert.All(runs, r => Assert.Empty(r.Failures));
        foreach (var path in new[] { "/hook", "/slack" })
        {
            var ids = receiver.RequestsTo(path).Select(r => r.Header("webhook-id") ?? r.BodyText).ToList();
            Assert.Equal(10, ids.Count);
            Assert.Equal(10, ids.Distinct().Count());
        }

        Assert.Equal(30, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL"));
    }
}
