namespace Monitor.Alerts;

/// <summary>How an alert reaches people, as stored in alerts.delivery.</summary>
public static class Delivery
{
    public const string Immediate = "immediate";
    public const string Digest = "digest";
    public const string Muted = "muted";

    /// <summary>Within a cooldown with the digest off: stored and shown, not mailed.</summary>
    public const string None = "none";
}
