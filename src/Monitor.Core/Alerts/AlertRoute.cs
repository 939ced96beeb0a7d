namespace Monitor.Core.Alerts;

/// <summary>Where a new alert goes: nowhere when a mute covers it, else one delivery per channel that takes it.</summary>
public sealed record AlertRoute(AlertDecision Decision, bool Muted, IReadOnlyList<(string Channel, ChannelDelivery Delivery)> Channels)
{
    /// <summary>The alert's delivery as the dashboard shows it: muted, or the most direct of its channels' deliveries.</summary>
    public string Summary =>
        Muted ? "muted"
        : Channels.Count == 0 ? "none"
        : SnakeCase.Of(Channels.Min(c => c.Delivery));
}
