namespace Monitor.Core.Alerts;

/// <summary>Open until handled: sent by mail, acknowledged, muted (planned activity) or marked false.</summary>
public enum AlertStatus
{
    Open,
    Sent,
    Acknowledged,
    Muted,
    False,
}
