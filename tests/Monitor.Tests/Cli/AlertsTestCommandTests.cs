using Monitor.Tests.Support;

namespace Monitor.Tests.Cli;

/// <summary>
/// <c>monitor alerts test --channel NAME</c> through the real executable: a sample alert reaches the channel now, or
/// the command says why not and fails, without ever printing the URL's secret.
/// </summary>
public sealed class AlertsTestCommandTests
{
    private const string SecretPath = "/services/T000/B000/s3cr3t-path";

    private static Dictionary<string, string> Settings(TempLedger ledger, string kind, string url, string? secret = null)
    {
        var env = new Dictionary<string, string>
        {
            ["Monitor__Storage__Sqlite__Path"] = ledger.Path,
            ["Monitor__Alerts__Channels__0__Name"] = "team-chat",
            ["Monitor__Alerts__Channels__0__Kind"] = kind,
        };
        if (kind == "Alertmanager")
        {
            env["Monitor__Alerts__Channels__0__Url"] = url;
        }
        else
        {
            env["Monitor__Alerts__Channels__0__UrlEnv"] = "TEAM_CHAT_URL";
            env["TEAM_CHAT_URL"] = url;
        }

        if (secret is not null)
        {
            env["Monitor__Alerts__Channels__0__SecretEnv"] = "TEAM_CHAT_SECRET";
            env["TEAM_CHAT_SECRET"] = secret;
        }

        return env;
    }

    [Fact]
    public async Task Test_SlackChannelUp_SampleArrivesAndTheCommandSaysSo()
    {
        await using var receiver = await HookReceiver.StartAsync();
        using var ledger = new TempLedger();

        var r = await MonitorProcess.RunAsync(ledger.Folder, Settings(ledger, "Slack", receiver.Url(SecretPath).ToString()), "alerts", "test", "--channel", "team-chat");

        Assert.Equal(0, r.ExitCode);
        var request = Assert.Single(receiver.RequestsTo(SecretPath));
        Assert.Contains("[test] A sample budget threshold alert from llm-spend-monitor", request.BodyText, StringComparison.Ordinal);
        Assert.Equal("channel 'team-chat' (slack): sample alert delivered: [test] A sample budget threshold alert from llm-spend-monitor", r.Out.Trim());
        Assert.Equal(0, await ledger.ScalarAsync<long>("SELECT COUNT(*) FROM outbox")); // a test is sent, never queued
    }

    [Fact]
    public async Task Test_WebhookChannelWithKind_SignedEventOfThatKind()
    {
        await using var receiver = await HookReceiver.StartAsync();
        using var ledger = new TempLedger();
        var secret = "whsec_" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        var r = await MonitorProcess.RunAsync(
            ledger.Folder, Settings(ledger, "Webhook", receiver.Url("/hook").ToString(), secret), "alerts", "test", "--channel", "team-chat", "--kind", "anomaly");

        Assert.Equal(0, r.ExitCode);
        var request = Assert.Single(receiver.RequestsTo("/hook"));
        Assert.Null(request.StandardWebhookFailure(secret, TimeProvider.System.GetUtcNow()));
        Assert.Equal("llm-spend-monitor.alert.anomaly.v1", request.CloudEvent().Type);
    }

    [Fact]
    public async Task Test_ChannelDown_FailsNamingTheHostNeverTheSecretPath()
    {
        await using var receiver = await HookReceiver.StartAsync();
        await receiver.StopAsync();
        using var ledger = new TempLedger();

        var r = await MonitorProcess.RunAsync(ledger.Folder, Settings(ledger, "Teams", receiver.Url(SecretPath).ToString()), "alerts", "test", "--channel", "team-chat");

        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"channel 'team-chat' (teams): NOT delivered: Teams channel 'team-chat' unreachable: ConnectionError (127.0.0.1:{receiver.Port})", r.Err.Trim());
        Assert.DoesNotContain("s3cr3t", r.Out + r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_UnknownChannel_BadUsageListingTheConfiguredOnes()
    {
        await using var receiver = await HookReceiver.StartAsync();
        using var ledger = new TempLedger();

        var r = await MonitorProcess.RunAsync(ledger.Folder, Settings(ledger, "Slack", receiver.Url("/x").ToString()), "alerts", "test", "--channel", "nope");

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--channel: 'nope' is not a channel (configured: email, team-chat)", r.Err, StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task Test_AlertmanagerChannel_ListedThereAndEndingItselfInFiveMinutes()
    {
        await using var am = await AlertmanagerServer.StartAsync();
        using var ledger = new TempLedger();
        var before = TimeProvider.System.GetUtcNow();

        var r = await MonitorProcess.RunAsync(ledger.Folder, Settings(ledger, "Alertmanager", am.BaseUrl.ToString()), "alerts", "test", "--channel", "team-chat");

        Assert.Equal(0, r.ExitCode);
        var alert = Assert.Single(await am.AlertsAsync());
        Assert.Equal(("test", "budget_threshold"), (alert.Labels["alert_id"], alert.Labels["kind"]));
        Assert.InRange(alert.EndsAt, before.AddMinutes(4), before.AddMinutes(6));
    }
}
