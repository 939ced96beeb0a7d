using Monitor.Core.Alerts;

namespace Monitor.Hosting;

/// <summary>How checks run and how their alerts reach people. Defaults live in appsettings.json.</summary>
public sealed class AlertsOptions
{
    /// <summary>Quartz cron for <c>monitor check</c> inside <c>serve</c>.</summary>
    public string CheckSchedule { get; set; } = "0 */5 * * * ?";

    /// <summary>Alerts below this severity go to the digest instead of a mail each (when the digest is on).</summary>
    public AlertSeverity ImmediateSeverity { get; set; } = AlertSeverity.Warning;

    /// <summary>After a mail for a scope, further alerts of no higher severity on it within this time go to the digest.</summary>
    public TimeSpan Cooldown { get; set; } = TimeSpan.FromHours(6);

    public DigestOptions Digest { get; set; } = new();

    /// <summary>Warn when a prepaid credit balance runs out within this many days at the current burn rate.</summary>
    public int LowBalanceDays { get; set; } = 7;

    /// <summary>The dashboard address for links in emails and channel messages (default: the first of Dashboard:Urls).</summary>
    public string DashboardUrl { get; set; } = "";

    public EmailOptions Email { get; set; } = new();

    /// <summary>Channels beside email: webhooks, Slack, Teams, Alertmanager, each with its own routing.</summary>
    public List<AlertChannelOptions> Channels { get; set; } = [];

    /// <summary>Provider-reported usage the metering proxy did not see (<c>unmetered_usage</c>).</summary>
    public UnmeteredOptions Unmetered { get; set; } = new();
}

public sealed class DigestOptions
{
    /// <summary>Daily, Weekly or Off (Off: every alert is mailed on its own, cooldown-suppressed ones are only stored).</summary>
    public DigestSchedule Schedule { get; set; } = DigestSchedule.Daily;

    /// <summary>Local hour (0-23) in <see cref="TimeZone"/> when the digest goes out.</summary>
    public int Hour { get; set; } = 8;

    public DayOfWeek DayOfWeek { get; set; } = DayOfWeek.Monday;

    /// <summary>IANA time zone of <see cref="Hour"/> and <see cref="DayOfWeek"/>.</summary>
    public string TimeZone { get; set; } = "UTC";
}

public enum DigestSchedule
{
    Off,
    Daily,
    Weekly,
}

public sealed class EmailOptions
{
    public string From { get; set; } = "";
    public List<string> To { get; set; } = [];

    /// <summary>Without an SMTP host, alerts land here as .eml files.</summary>
    public string PickupDirectory { get; set; } = "data/outbox";

    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>First retry delay after a failed send; it doubles per attempt up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(1);
}

public sealed class SmtpOptions
{
    public string Host { get; set; } = "";
    public int Port { get; set; } = 587;

    /// <summary>None, StartTls or SslOnConnect (text, so a typo is reported with the other problems, not alone).</summary>
    public string Security { get; set; } = nameof(SmtpSecurity.StartTls);

    /// <summary>Environment variables holding the user name and password; both empty: no authentication.</summary>
    public string UserEnv { get; set; } = "";

    public string PasswordEnv { get; set; } = "";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A PEM file with the private CA that signed the server's certificate. Set it to trust that CA (and only it) for
    /// this server; without it the system's trust store decides. Certificates are always checked.
    /// </summary>
    public string CaCertificateFile { get; set; } = "";
}

public enum SmtpSecurity
{
    None,
    StartTls,
    SslOnConnect,
}
