using Monitor.Core.Alerts;

namespace Monitor.Hosting;

/// <summary>
/// One entry of Monitor:Alerts:Channels: a named channel of a kind, which alerts it takes (kinds, severity, scope)
/// and how it delivers them. Secrets (webhook URLs carry them, the signing secret) come from environment variables
/// named here. Unset delivery settings follow Alerts (ImmediateSeverity, Digest, Cooldown) for Slack and Teams;
/// Webhook and Alertmanager get every alert they take at once, since machines do their own grouping.
/// </summary>
public sealed class AlertChannelOptions
{
    /// <summary>Letters, digits, '-' and '_'; unique; <c>email</c> is the built-in mail channel.</summary>
    public string Name { get; set; } = "";

    /// <summary>Webhook, Slack, Teams or Alertmanager (text, so a typo is reported with the other problems).</summary>
    public string Kind { get; set; } = "";

    /// <summary>The environment variable holding the URL to POST to (an Alertmanager may use <see cref="Url"/> instead).</summary>
    public string UrlEnv { get; set; } = "";

    /// <summary>Alertmanager only: its base URL when it carries no secret (http://alertmanager:9093).</summary>
    public string Url { get; set; } = "";

    /// <summary>Webhook only: the environment variable holding the Standard Webhooks signing secret (whsec_ + base64).</summary>
    public string SecretEnv { get; set; } = "";

    /// <summary>Alert kinds this channel takes (budget_threshold, anomaly, ...); empty: every kind.</summary>
    public List<string> Kinds { get; set; } = [];

    public AlertSeverity MinSeverity { get; set; } = AlertSeverity.Info;

    /// <summary>Scope filters; empty: any. An alert without the field (a budget alert has no model) matches only an empty filter.</summary>
    public List<string> Accounts { get; set; } = [];

    public List<string> Workspaces { get; set; } = [];
    public List<string> Keys { get; set; } = [];
    public List<string> Models { get; set; } = [];

    /// <summary>Alerts below this severity wait for the digest (when <see cref="Digest"/> is not Off).</summary>
    public AlertSeverity? ImmediateSeverity { get; set; }

    /// <summary>Daily, Weekly or Off; the time of day and zone are Alerts:Digest's.</summary>
    public DigestSchedule? Digest { get; set; }

    public TimeSpan? Cooldown { get; set; }

    /// <summary>How long one POST may take before it counts as failed (and is retried).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First retry delay after a failed POST (5xx, timeout, refused connection); it doubles per attempt up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Alertmanager only: a firing alert nobody handles ends (endsAt) this long after it was sent.</summary>
    public TimeSpan ExpiresAfter { get; set; } = TimeSpan.FromDays(7);

    public AlertChannelKind ParsedKind => Enum.TryParse<AlertChannelKind>(Kind, ignoreCase: true, out var k) ? k : AlertChannelKind.Webhook;

    /// <summary>Whether the kind holds alerts for a digest by default (people read it) or sends each at once (machines read it).</summary>
    public bool ForPeople => ParsedKind is AlertChannelKind.Slack or AlertChannelKind.Teams;
}
