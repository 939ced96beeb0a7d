namespace Monitor.Hosting;

/// <summary>
/// Where a channel sends: mail (the built-in channel, set up in Alerts:Email), a signed CloudEvents webhook, a Slack or
/// Teams incoming webhook, an Alertmanager.
/// </summary>
public enum AlertChannelKind
{
    Email,
    Webhook,
    Slack,
    Teams,
    Alertmanager,
}
