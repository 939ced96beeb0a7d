using System.Net;
using System.Net.Mime;
using System.Text;
using System.Text.Json;

namespace Monitor.Tests.Support;

/// <summary>The real Alertmanager fixture: what it lists of a firing alert, and how a resolution shows.</summary>
public sealed class AlertmanagerServerTests : IClassFixture<AlertmanagerServer>
{
    private readonly AlertmanagerServer _alertmanager;

    public AlertmanagerServerTests(AlertmanagerServer alertmanager) => _alertmanager = alertmanager;

    private static DateTimeOffset Now => TimeProvider.System.GetUtcNow();

    // POST /api/v2/alerts with one alert, as a sender would; endsAt only when given.
    private static async Task<HttpResponseMessage> PostAsync(AlertmanagerServer alertmanager, Dictionary<string, string> labels, DateTimeOffset? endsAt = null)
    {
        var alert = new Dictionary<string, object>
        {
            ["labels"] = labels,
            ["annotations"] = new Dictionary<string, string> { ["summary"] = "team-a spent 80% of its budget" },
            ["generatorURL"] = "http://127.0.0.1/budgets/team-a",
        };
        if (endsAt is { } ends)
            alert["endsAt"] = ends.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        using var client = new HttpClient();
        using var content = new StringContent(JsonSerializer.Serialize(new[] { alert }), Encoding.UTF8, MediaTypeNames.Application.Json);
        return await client.PostAsync(new Uri(alertmanager.BaseUrl, "api/v2/alerts"), content);
    }

    private static Dictionary<string, string> Labels(string alertname) => new()
    {
        ["alertname"] = alertname, ["budget"] = "team-a", ["severity"] = "warning", ["empty"] = "",
    };

    [Fact]
    public async Task AlertsAsync_FiringAlertPosted_ListedWithItsLabelsAndResolveTimeout()
    {
        using var posted = await PostAsync(_alertmanager, Labels("FiringListed"));

        var alert = Assert.Single(await _alertmanager.AlertsAsync(filter: ["alertname=\"FiringListed\""]));

        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        // The label with an empty value is gone: to Alertmanager an empty value is no label.
        Assert.Equal(new Dictionary<string, string> { ["alertname"] = "FiringListed", ["budget"] = "team-a", ["severity"] = "warning" }, alert.Labels);
        Assert.Equal("team-a spent 80% of its budget", alert.Annotations["summary"]);
        Assert.Equal(("active", "http://127.0.0.1/budgets/team-a"), (alert.State, alert.GeneratorUrl));
        Assert.Equal(_alertmanager.ResolveTimeout, alert.EndsAt - alert.StartsAt); // no endsAt sent: receipt + resolve_timeout
    }

    [Fact]
    public async Task AlertsAsync_PostedAgainWithEndsAtNow_GoneFromEveryListingAndCountedResolved()
    {
        using var firing = await PostAsync(_alertmanager, Labels("Resolved"));
        Assert.Single(await _alertmanager.AlertsAsync(filter: ["alertname=\"Resolved\""]));
        var resolvedBefore = await _alertmanager.ReceivedAsync("resolved");

        using var resolved = await PostAsync(_alertmanager, Labels("Resolved"), endsAt: Now);

        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        Assert.Empty(await _alertmanager.AlertsAsync(filter: ["alertname=\"Resolved\""]));
        Assert.Empty(await _alertmanager.AlertsAsync(active: false, silenced: false, inhibited: false, unprocessed: false, filter: ["alertname=\"Resolved\""]));
        Assert.Equal(resolvedBefore + 1, await _alertmanager.ReceivedAsync("resolved"));
    }

    [Fact]
    public async Task PostAlert_LabelNameWithADash_Rejected400NamingIt()
    {
        using var posted = await PostAsync(_alertmanager, new Dictionary<string, string> { ["alertname"] = "Dash", ["budget-name"] = "team-a" });

        Assert.Equal(HttpStatusCode.BadRequest, posted.StatusCode);
        Assert.Contains("invalid name \\\"budget-name\\\"", await posted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await _alertmanager.AlertsAsync(filter: ["alertname=\"Dash\""]));
    }

    [Fact]
    public async Task NotifyUrl_AlertFiredThenResolved_WebhookGetsFiringThenResolved()
    {
        await using var hook = await HookReceiver.StartAsync();
        await using var alertmanager = await AlertmanagerServer.StartAsync(hook.Url("/alertmanager"));

        using var firing = await PostAsync(alertmanager, Labels("Notified"));
        await hook.WaitForAsync(rs => rs.Count == 1, TimeSpan.FromSeconds(20));
        using var resolved = await PostAsync(alertmanager, Labels("Notified"), endsAt: Now);
        var notifications = await hook.WaitForAsync(rs => rs.Count == 2, TimeSpan.FromSeconds(20));

        var statuses = notifications.Select(n => JsonDocument.Parse(n.Body).RootElement)
            .Select(n => (n.GetProperty("status").GetString(), n.GetProperty("alerts")[0].GetProperty("status").GetString(),
                n.GetProperty("alerts")[0].GetProperty("labels").GetProperty("alertname").GetString()));
        Assert.Equal([("firing", "firing", "Notified"), ("resolved", "resolved", "Notified")], statuses);
        Assert.Equal("Alertmanager/0.25.0", notifications[0].Header("User-Agent"));
    }
}
