namespace Monitor.Hosting;

public sealed class AlertsOptions
{
    public EmailOptions Email { get; set; } = new();
}

public sealed class EmailOptions
{
    public string From { get; set; } = "";
    public List<string> To { get; set; } = [];

    /// <summary>Without an SMTP host, alerts land here as .eml files.</summary>
    public string PickupDirectory { get; set; } = "data/outbox";

    public SmtpOptions Smtp { get; set; } = new();
}

public sealed class SmtpOptions
{
    public string Host { get; set; } = "";
    public int Port { get; set; } = 587;

    /// <summary>None, StartTls or SslOnConnect.</summary>
    public string Security { get; set; } = "StartTls";

    public string UserEnv { get; set; } = "";
    public string PasswordEnv { get; set; } = "";
}
