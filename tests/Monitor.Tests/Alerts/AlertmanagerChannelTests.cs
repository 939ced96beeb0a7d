using Monitor.Alerts;
using Monitor.Core.Alerts;
using Monitor.Storage;
using Monitor.Tests.Support;
using static Monitor.Tests.Alerts.ChannelSettings;

namespace Monitor.Tests.Alerts;

/// <summary>
/// Alerts to a real Alertmanager (Debian's prometheus-alertmanager): its API lists them with their labels and
/// annotations, and an acknowledge or a mute resolves them there. Alertmanager judges startsAt and endsAt by its own
/// clock, so these tests run at the real time, with a rolling budget that crosses whatever the date.
/// </summary>
public sealed class AlertmanagerChannelTests
{
    [Fact]
    public async Task Check_AlertmanagerChannel_ListedWithLabelsThenResolvedByAckAndByMute()
    {
        await using var am = await AlertmanagerServer.StartAsync();
        var now = TimeProvider.System.GetUtcNow();
        now = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        var settings = Budgets(2);
        foreach (var i in new[] { 0, 1 })
        {
            settings[$"Monitor:Budgets:{i}:Period"] = "Rolling";
            settings[$"Monitor:Budgets:{i}:RollingDays"] = "7";
        }

        Add(settings, 0, "am", "Alertmanager", am.BaseUrl);
        await using var h = CheckHarness.Start(now, settings);
        await h.AddHourlyAsync("acct", "k1", "gpt-4o", "USD", now.AddHours(-85), 85, _ => 1m, workspace: "search");

        var result = await h.Checks.RunAsync(null, send: true, CancellationToken.None);

        Assert.Equal(2, result.Raised);
        var alerts = (await h.Get<AlertRepository>().ListAsync([AlertStatus.Open, AlertStatus.Sent], 10, CancellationToken.None)).OrderBy(a => a.Id).ToList();
        var listed = (await am.AlertsAsync()).OrderBy(a => a.Labels["alert_id"], StringComparer.Ordinal).ToList();
        Assert.Equal(2, listed.Count);
        var first = listed[0];
        Assert.Equal(alerts[0].Id.ToString(System.Globalization.CultureInfo.InvariantCulture), first.Labels["alert_id"]);
        Assert.Equal("LlmSpendBudgetThreshold", first.Labels["alertname"]);
        Assert.Equal("budget_threshold", first.Labels["kind"]);
        Assert.Equal("warning", first.Labels["severity"]);
        Assert.Equal("search", first.Labels["workspace"]);
        Assert.False(first.Labels.ContainsKey("model")); // a budget on a workspace names no model: no empty label
        Assert.Equal(alerts[0].Title, first.Annotations["title"]);
        Assert.Equal(alerts[0].Detail, first.Annotations["detail"]);
        Assert.EndsWith($"/alerts/{alerts[0].Id}", first.Annotations["runbook"], StringComparison.Ordinal);
        Assert.Equal("active", first.State);
        Assert.InRange(first.EndsAt, now.AddDays(7).AddMinutes(-1), now.AddDays(7).AddMinutes(1));

        Assert.True(await h.Get<AlertHandling>().SetStatusAsync(alerts[0].Id, AlertStatus.Acknowledged, "on it", CancellationToken.None));
        await h.Get<OutboxDispatcher>().SendDueAsync(CancellationToken.None);
        var afterAck = await am.AlertsAsync();
        Assert.NotNull(await h.Get<AlertHandling>().MuteAsync(alerts[1].Id, now.AddDays(1), "planned load test", CancellationToken.None));
        await h.Get<OutboxDispatcher>().SendDueAsync(CancellationToken.None);

        Assert.Equal([alerts[1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], afterAck.Select(a => a.Labels["alert_id"]));
        Assert.Empty(await am.AlertsAsync());
        Assert.Equal(2, await am.ReceivedAsync("resolved"));
        Assert.Equal(0, await h.Get<OutboxRepository>().PendingAsync(CancellationToken.None));
    }
}
