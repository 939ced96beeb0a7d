using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Alerts.Channels;

/// <summary>
/// Composes what goes into the outbox for one channel: the mail for email, the CloudEvent for a webhook, the Block Kit
/// message for Slack, the Adaptive Card for Teams, the alert for Alertmanager. Composed once, when the alert is raised
/// (or handled, or digested), so every retry sends the same bytes.
/// </summary>
public sealed class ChannelComposer(AlertMailComposer mail, AlertLinks links)
{
    private const string Json = "application/json; charset=utf-8";

    /// <summary>The outbox dedup key of an alert's message to a channel: once per alert and channel, across nodes.</summary>
    public static string DedupKey(string channel, string alertDedupKey) =>
        channel == OutboxMessage.EmailChannel ? $"alert:{alertDedupKey}" : $"{channel}:alert:{alertDedupKey}";

    public ChannelAlert View(AlertRow alert) =>
        new(alert, links.Dashboard, links.Alert(alert.Id), links.Chart(alert.Id, alert.Evidence.Chart is not null));

    public async Task<OutboxMessage> ComposeAsync(AlertChannel channel, AlertRow alert, DateTimeOffset now)
    {
        if (channel.Kind == AlertChannelKind.Email)
            return OutboxMessage.Email(await mail.ComposeAsync(alert.ToDecision(), alert.RaisedAt, alert.Id));
        var view = View(alert);
        var messageId = MessageId(DedupKey(channel.Name, alert.DedupKey));
        return channel.Kind switch
        {
            AlertChannelKind.Webhook => new OutboxMessage(channel.Name, messageId, [], alert.Title, CloudEventMessage.ContentType, CloudEventMessage.Build(view)),
            AlertChannelKind.Slack => new OutboxMessage(channel.Name, messageId, [], alert.Title, Json, SlackMessage.Build(view)),
            AlertChannelKind.Teams => new OutboxMessage(channel.Name, messageId, [], alert.Title, Json, TeamsMessage.Build(view)),
            _ => new OutboxMessage(channel.Name, messageId, [], alert.Title, Json, AlertmanagerMessage.Build(view, now + channel.Options.ExpiresAfter)),
        };
    }

    /// <summary>An Alertmanager alert ending at <paramref name="endsAt"/>: a resolve (when it was handled), or a test that ends itself.</summary>
    public OutboxMessage ComposeEnding(AlertChannel channel, AlertRow alert, DateTimeOffset endsAt, string dedupKey) =>
        new(channel.Name, MessageId(dedupKey), [], alert.Title, Json, AlertmanagerMessage.Build(View(alert), endsAt));

    /// <summary>A Slack or Teams digest: one message listing the alerts.</summary>
    public OutboxMessage ComposeDigest(AlertChannel channel, string label, IReadOnlyList<AlertRow> alerts, string dedupKey)
    {
        var views = alerts.Select(View).ToList();
        var body = channel.Kind == AlertChannelKind.Teams
            ? TeamsMessage.BuildDigest(label, views, links.Dashboard)
            : SlackMessage.BuildDigest(label, views, links.Dashboard);
        return new OutboxMessage(channel.Name, MessageId(dedupKey), [], SlackMessage.DigestTitle(label, alerts.Count), Json, body);
    }

    /// <summary>Standard Webhooks' webhook-id (and the id a chat message is known by): stable across retries, safe in a header.</summary>
    public static string MessageId(string dedupKey) => "msg_" + StableId.Of(dedupKey, 32);
}
