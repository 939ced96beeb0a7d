using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Monitor.Hosting;
using Monitor.Alerts;
using Monitor.Alerts.Channels;
using Monitor.Core.Alerts;
using Monitor.Storage;
using Monitor.Tests.Support;
using static Monitor.Tests.Alerts.ChannelSettings;

namespace Monitor.Tests.Alerts;

/// <summary>
/// Alerts through webhook, Slack and Teams channels to real HTTP receivers on 127.0.0.1: the message shapes, the
/// Standard Webhooks signature, and the outbox's promises per channel (once, retried on 5xx and 429, failed for good
/// on another 4xx, one channel never holding back another).
/// </summary>
public sealed class ChannelDeliveryTests
{
    private static readonly DateTimeOffset Now = December.AddHours(85);

    // USD 1 an hour on workspace "search" from 1 December: 85 hours, so each budget of 100-109 is past 80 %.
    private static async Task<CheckHarness> StartAsync(Dictionary<string, string?> settings, SqlDialect dialect = SqlDialect.Sqlite)
    {
        var h = CheckHarness.Start(Now, settings, dialect);
        await h.AddHourlyAsync("acct", "k1", "gpt-4o", "USD", December, 85, _ => 1m, workspace: "search");
        return h;
    }

    [Fact]
    public async Task Check_WebhookChannel_OneSignedCloudEventPerAlertWithAmountsAndLinks()
    {
        await using var receiver = await HookReceiver.StartAsync();
        var settings = Budgets(1);
        settings["Monitor:Alerts:DashboardUrl"] = "https://monitor.example.com";
        var secret = Add(settings, 0, "hook", "Webhook", receiver.Url("/hook"))!;
        await using var h = await StartAsync(settings);

        var result = await h.Checks.RunAsync(null, send: true, CancellationToken.None);

        Assert.Equal(1, result.Raised);
        var request = Assert.Single(receiver.RequestsTo("/hook"));
        Assert.Null(request.StandardWebhookFailure(secret, h.Ledger.Clock.GetUtcNow()));
        // The signature by the spec's own rule, not only by the library that made it: HMAC-SHA256 of "id.timestamp.body".
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signed = $"{request.Header("webhook-id")}.{request.Header("webhook-timestamp")}.{request.BodyText}";
        Assert.Equal("v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(signed))), request.Header("webhook-signature"));
        Assert.Equal(h.Ledger.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), request.Header("webhook-timestamp"));

        var alert = Assert.Single(await h.Get<AlertRepository>().ListAsync([AlertStatus.Sent, AlertStatus.Open], 10, CancellationToken.None));
        var cloudEvent = request.CloudEvent();
        Assert.Equal(alert.DedupKey, cloudEvent.Id);
        Assert.Equal("llm-spend-monitor.alert.budget_threshold.v1", cloudEvent.Type);
        Assert.Equal("workspace/search", cloudEvent.Subject);
        Assert.Equal(new Uri("https://monitor.example.com"), cloudEvent.Source);
        Assert.Equal(alert.RaisedAt, cloudEvent.Time);

        using var body = JsonDocument.Parse(request.Body);
        var data = body.RootElement.GetProperty("data");
        Assert.Equal(alert.Id, data.GetProperty("alert_id").GetInt64());
        Assert.Equal("warning", data.GetProperty("severity").GetString());
        Assert.Equal(alert.Title, data.GetProperty("title").GetString());
        var spent = data.GetProperty("amounts").EnumerateArray().Single(a => a.GetProperty("name").GetString() == "spent");
        Assert.Equal((85m, "USD"), (spent.GetProperty("amount").GetDecimal(), spent.GetProperty("currency").GetString()));
        Assert.NotEmpty(data.GetProperty("runbook").EnumerateArray());
        Assert.Contains(data.GetProperty("breakdowns").EnumerateArray(), b => b.GetProperty("title").GetString() == "Top models");
        var links = data.GetProperty("links");
        Assert.Equal($"https://monitor.example.com/alerts/{alert.Id}", links.GetProperty("alert").GetString());
        Assert.Equal($"https://monitor.example.com/alerts/{alert.Id}/chart.png", links.GetProperty("chart").GetString());
        Assert.Equal(request.Header("webhook-id"), ChannelComposer.MessageId($"hook:alert:{alert.DedupKey}"));
        // The mail of the same alert links to the alert's page too.
        var mail = MimeKit.MimeMessage.Load(Assert.Single(Directory.GetFiles(h.Pickup, "*.eml")));
        Assert.Contains($"This alert (runbook, acknowledge, mute): https://monitor.example.com/alerts/{alert.Id}", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"https://monitor.example.com/alerts/{alert.Id}\">Open this alert</a>", mail.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_SlackAndTeamsChannels_ReadableMessagesWithFiguresTopModelsAndLinks()
    {
        await using var receiver = await HookReceiver.StartAsync();
        var settings = Budgets(1);
        Add(settings, 0, "slack", "Slack", receiver.Url("/slack"));
        Add(settings, 1, "teams", "Teams", receiver.Url("/teams"));
        await using var h = await StartAsync(settings);

        await h.Checks.RunAsync(null, send: true, CancellationToken.None);

        var alert = Assert.Single(await h.Get<AlertRepository>().ListAsync([AlertStatus.Sent, AlertStatus.Open], 10, CancellationToken.None));
        using var slack = JsonDocument.Parse(Assert.Single(receiver.RequestsTo("/slack")).Body);
        var blocks = slack.RootElement.GetProperty("blocks").EnumerateArray().ToList();
        Assert.Equal(":large_orange_circle: " + alert.Title, blocks[0].GetProperty("text").GetProperty("text").GetString());
        var texts = Texts(slack.RootElement).ToList();
        Assert.Contains("*Top models*\n• gpt-4o: USD 85.00", texts);
        Assert.Contains(texts, t => t.StartsWith("*Spent*\nUSD 85.00", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains($"/alerts/{alert.Id}|Runbook and alert>", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("*What to do*\n1. ", StringComparison.Ordinal));

        using var teams = JsonDocument.Parse(Assert.Single(receiver.RequestsTo("/teams")).Body);
        var attachment = teams.RootElement.GetProperty("attachments")[0];
        Assert.Equal("application/vnd.microsoft.card.adaptive", attachment.GetProperty("contentType").GetString());
        var card = attachment.GetProperty("content");
        Assert.Equal("AdaptiveCard", card.GetProperty("type").GetString());
        Assert.Equal(alert.Title, card.GetProperty("body")[0].GetProperty("inlines")[0].GetProperty("text").GetString());
        Assert.Contains(card.GetProperty("body").EnumerateArray(), b => b.GetProperty("type").GetString() == "FactSet"
            && b.GetProperty("facts").EnumerateArray().Any(f => f.GetProperty("title").GetString() == "gpt\\-4o" && f.GetProperty("value").GetString() == "USD 85.00"));
        Assert.Contains(card.GetProperty("actions").EnumerateArray(), a => a.GetProperty("url").GetString()!.EndsWith($"/alerts/{alert.Id}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Send_ReceiverDownThenRestartedMonitorAndReceiverBack_EveryAlertArrivesExactlyOnce()
    {
        await using var receiver = await HookReceiver.StartAsync();
        var settings = Budgets(5);
        Add(settings, 0, "hook", "Webhook", receiver.Url("/hook"), new Dictionary<string, string?> { ["Timeout"] = "00:00:02" });
        await using var h = await StartAsync(settings);
        await receiver.StopAsync();

        var down = await h.Checks.RunAsync(null, send: true, CancellationToken.None);
        h.Ledger.Clock.Advance(TimeSpan.FromMinutes(10));
        await h.Get<OutboxDispatcher>().SendDueAsync(CancellationToken.None);
        await h.RestartAsync(); // nothing of the outage is kept in memory
        await receiver.StartAgainAsync();
        h.Ledger.Clock.Advance(TimeSpan.FromHours(1));
        var back = await h.Get<OutboxDispatcher>().SendDueAsync(CancellationToken.None);
        h.Ledger.Clock.Advance(TimeSpan.FromHours(2));
        var again = await h.Get<OutboxDispatcher>().SendDueAsync(CancellationToken.None);

        Assert.Equal((5, 5), (down.Raised, down.Sent)); // the mails went; the webhook's five wait
        Assert.Contains("Webhook channel 'hook' unreachable: ConnectionError (127.0.0.1:", down.DeliveryError, StringComparison.Ordinal);
        Assert.Equal((5, 0), (back.Sent, back.Pending));
        Assert.Equal(0, again.Sent);
        var arrived = receiver.RequestsTo("/hook").Where(r => r.AnsweredStatus == 200).Select(r => r.CloudEvent().Id).ToList();
        Assert.Equal(5, arrived.Count);
        Assert.Equal((await h.Ledger.QueryAsync<string>("SELECT dedup_key FROM alerts")).Order(), arrived.Order());
    }

    [Fact]
    public async Task Send_ChannelAnswers400_FailedForGoodNotRetried_OtherChannelsGetEverything()
    {
        await using var receiver = await HookReceiver.StartAsync();
        receiver.Answer("/bad", HookAnswer.With(HttpStatusCode.BadRequest) with { Body = "invalid_payload" });
        var settings = Budgets(3);
        Add(settings, 0, "bad", "Slack", receiver.Url("/bad"));
        Add(settings, 1, "good", "Webhook", receiver.Url("/good"));
        await using var h = await StartAsync(settings);

        await h.Checks.RunAsync(null, send: true, CancellationToken.None);
        for (var i = 0; i < 3; i++)
        {
            h.Ledger.Clock.Advance(TimeSpan.FromHours(2));
            await h.Get<OutboxDispatcher>().SendDueAsync(CancellationToken.None);
        }

        Assert.Equal(3, receiver.RequestsTo("/good").Count);
        Assert.Equal(3, receiver.RequestsTo("/bad").Count); // one attempt per message, never a second
        var status = (await h.Get<OutboxRepository>().StatusAsync(CancellationToken.None)).ToDictionary(s => s.Channel);
        Assert.Equal((0L, 3L, 0L), (status["bad"].Pending, status["bad"].Failed, status["bad"].Sent));
        Assert.Equal("Slack channel 'bad' answered HTTP 400 Bad Request: invalid_payload", status["bad"].LastError);
        Assert.Equal((0L, 0L, 3L), (status["good"].Pending, status["good"].Failed, status["good"].Sent));
        Assert.Equal(0, await h.Get<OutboxRepository>().PendingAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Send_ChannelAnswers429WithRetryAfter_WaitsThatLongThenDeliversOnce()
    {
        await using var receiver = await HookReceiver.StartAsync();
        receiver.Answer("/hook", HookAnswer.TooManyRequests(TimeSpan.FromMinutes(5)), HookAnswer.Ok);
        var settings = Budgets(1);
        Add(settings, 0, "hook", "Webhook", receiver.Url("/hook"));
        await using var h = await StartAsync(settings);
        var outbox = h.Get<OutboxDispatcher>();

        await h.Checks.RunAsync(null, send: true, CancellationToken.None);
        h.Ledger.Clock.Advance(TimeSpan.FromMinutes(4)); // past the backoff (1 min), not past Retry-After
        var early = await outbox.SendDueAsync(CancellationToken.None);
        h.Ledger.Clock.Advance(TimeSpan.FromMinutes(2));
        var due = await outbox.SendDueAsync(CancellationToken.None);

        Assert.Equal((0, 1), (early.Sent, early.Pending));
        Assert.Equal((1, 0), (due.Sent, due.Pending));
        Assert.Equal([429, 200], receiver.RequestsTo("/hook").Select(r => r.AnsweredStatus));
        Assert.Single(receiver.RequestsTo("/hook").Select(r => r.Header("webhook-id")).Distinct());
    }

    [Fact]
    public async Task Send_OneChannelHangs_TheOthersAreDeliveredMeanwhile()
    {
        await using var receiver = await HookReceiver.StartAsync();
        receiver.Answer("/slow", HookAnswer.Delayed(TimeSpan.FromSeconds(60)));
        var settings = Budgets(3);
        Add(settings, 0, "slow", "Webhook", receiver.Url("/slow"), new Dictionary<string, string?> { ["Timeout"] = "00:00:12" });
        Add(settings, 1, "fast", "Slack", receiver.Url("/fast"));
        await using var h = await StartAsync(settings);

        var run = Task.Run(() => h.Checks.RunAsync(null, send: true, CancellationToken.None));
        await receiver.WaitForAsync(r => r.Count(x => x.Path == "/fast") == 3, TimeSpan.FromSeconds(10));
        var fastDoneWhileSlowHangs = !run.IsCompleted;
        var result = await run;

        // The next rounds within the backoff spend no timeout on the hanging channel: all its rows wait, not only the tried one.
        var again = await h.Get<OutboxDispatcher>().SendDueAsync(CancellationToken.None);

        Assert.True(fastDoneWhileSlowHangs);
        Assert.Equal(6, result.Sent); // three mails, three Slack messages
        Assert.Single(receiver.RequestsTo("/slow")); // the first timed out; the rest of that channel waits
        Assert.Contains("'slow' did not answer within 12 s", result.DeliveryError, StringComparison.Ordinal);
        Assert.Equal((0, 0, 3), (again.Sent, again.Failed, again.Pending));
        Assert.Equal([(1L, 1L), (0L, 2L)], await h.Ledger.QueryAsync<(long, long)>(
            "SELECT attempts, COUNT(*) FROM outbox WHERE channel = 'slow' AND next_attempt_at > @now AND lease_until IS NULL GROUP BY attempts ORDER BY attempts DESC",
            new { now = h.Ledger.Clock.GetUtcNow().ToUnixTimeSeconds() }));
    }

    [Fact]
    public async Task Raise_ChannelRouting_KindSeverityAndScopeFiltersDecideWhatEachChannelGets()
    {
        await using var receiver = await HookReceiver.StartAsync();
        var settings = Budgets(1);
        Add(settings, 0, "anomalies", "Webhook", receiver.Url("/anomalies"), new Dictionary<string, string?> { ["Kinds:0"] = "anomaly" });
        Add(settings, 1, "critical", "Webhook", receiver.Url("/critical"), new Dictionary<string, string?> { ["MinSeverity"] = "Critical" });
        Add(settings, 2, "other-ws", "Webhook", receiver.Url("/other"), new Dictionary<string, string?> { ["Workspaces:0"] = "billing" });
        Add(settings, 3, "search", "Webhook", receiver.Url("/search"), new Dictionary<string, string?> { ["Workspaces:0"] = "search", ["Kinds:0"] = "budget_threshold" });
        await using var h = await StartAsync(settings);

        await h.Checks.RunAsync(null, send: true, CancellationToken.None);

        Assert.Equal(["/search"], receiver.Requests.Select(r => r.Path));
        Assert.Equal(["email", "search"], await h.Ledger.QueryAsync<string>("SELECT channel FROM alert_routes ORDER BY channel"));
    }

    [Fact]
    public async Task Digest_SlackChannelWithDigest_WarningsWaitAndGoOutAsOneMessageAtTheDigestHour()
    {
        await using var receiver = await HookReceiver.StartAsync();
        var settings = Budgets(3);
        settings["Monitor:Alerts:Digest:Hour"] = "8";
        Add(settings, 0, "slack", "Slack", receiver.Url("/slack"), new Dictionary<string, string?> { ["ImmediateSeverity"] = "Critical" });
        await using var h = await StartAsync(settings);

        var raised = await h.Checks.RunAsync(null, send: true, CancellationToken.None); // 13:00 on 4 December
        h.Ledger.Clock.Advance(TimeSpan.FromHours(19)); // 08:00 on the 5th
        var digest = await h.Checks.RunAsync(null, send: true, CancellationToken.None);
        h.Ledger.Clock.Advance(TimeSpan.FromHours(1));
        await h.Checks.RunAsync(null, send: true, CancellationToken.None);

        Assert.Equal((3, 3), (raised.Raised, raised.Sent)); // the three mails: email keeps Warning as immediate
        var message = Assert.Single(receiver.RequestsTo("/slack"));
        using var json = JsonDocument.Parse(message.Body);
        Assert.Equal("Digest 2026-12-04: 3 alerts", json.RootElement.GetProperty("text").GetString());
        Assert.Equal(3, Texts(json.RootElement).Sum(t => t.Split("• ").Length - 1));
        Assert.Equal(1, digest.Sent);
    }

    [Fact]
    public async Task Ack_AlertSentToAlertmanagerChannelOnly_QueuesNothingForOtherChannels()
    {
        await using var receiver = await HookReceiver.StartAsync();
        var settings = Budgets(1);
        Add(settings, 0, "hook", "Webhook", receiver.Url("/hook"));
        await using var h = await StartAsync(settings);
        await h.Checks.RunAsync(null, send: true, CancellationToken.None);
        var alert = Assert.Single(await h.Get<AlertRepository>().ListAsync([AlertStatus.Sent, AlertStatus.Open], 10, CancellationToken.None));

        Assert.True(await h.Get<AlertHandling>().SetStatusAsync(alert.Id, AlertStatus.Acknowledged, "on it", CancellationToken.None));

        Assert.Equal(0, await h.Get<OutboxRepository>().PendingAsync(CancellationToken.None));
        Assert.False(await h.Get<AlertHandling>().SetStatusAsync(alert.Id + 100, AlertStatus.Acknowledged, null, CancellationToken.None));
    }

    [Fact]
    public async Task Send_EveryLogLevel_NeverHoldsTheChannelUrlsSecretPath()
    {
        await using var receiver = await HookReceiver.StartAsync();
        receiver.Answer("/services/T000/B000/s3cr3t-path", HookAnswer.Unavailable);
        var settings = Budgets(1);
        Add(settings, 0, "slack", "Slack", receiver.Url("/services/T000/B000/s3cr3t-path"));
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var h = await StartAsync(settings);
        settings["Monitor:Alerts:Email:PickupDirectory"] = h.Pickup;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(h.Ledger.Settings.Concat(settings)).Build();
        await using var services = new ServiceCollection()
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Trace).AddProvider(new CapturingLoggerProvider(lines)))
            .AddMonitorCore(configuration)
            .AddSingleton<TimeProvider>(h.Ledger.Clock)
            .BuildServiceProvider();

        await services.GetRequiredService<Monitor.Checks.CheckService>().RunAsync(null, send: true, CancellationToken.None);

        Assert.Single(receiver.RequestsTo("/services/T000/B000/s3cr3t-path")); // sent, answered 503, logged as a retry
        Assert.Contains(lines, l => l.Contains("Outbox message", StringComparison.Ordinal) && l.Contains("HTTP 503", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("s3cr3t", StringComparison.Ordinal));
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE last_error LIKE '%s3cr3t%'"));
    }

    [Fact]
    public async Task Send_UrlVariableNoLongerAUrl_RetryNamingTheChannelNeverTheValue()
    {
        await using var receiver = await HookReceiver.StartAsync();
        var settings = Budgets(1);
        Add(settings, 0, "hook", "Webhook", receiver.Url("/hook"));
        await using var h = await StartAsync(settings);
        var sender = new HttpChannelSender(h.Get<IHttpClientFactory>(), h.Ledger.Clock) { Environment = _ => "hooks s3cr3t-path" };
        var item = new OutboxItem(1, 1, "hook", "k", "msg_1", [], "application/json", [1], 0, Now);

        var outcome = await sender.SendAsync(h.Get<AlertChannels>().Find("hook")!, item, CancellationToken.None);

        Assert.Equal(ChannelResult.Retry, outcome.Result);
        Assert.StartsWith("Webhook channel 'hook' cannot send: its URL or secret variable does not parse", outcome.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", outcome.Error, StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
    }

    // Every "text" string of a Block Kit message, at any depth.
    private static IEnumerable<string> Texts(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().SelectMany(p => p.Name == "text" && p.Value.ValueKind == JsonValueKind.String ? [p.Value.GetString()!] : Texts(p.Value)),
        JsonValueKind.Array => e.EnumerateArray().SelectMany(Texts),
        _ => [],
    };
}
