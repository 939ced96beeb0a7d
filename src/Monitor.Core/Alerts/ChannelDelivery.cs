namespace Monitor.Core.Alerts;

/// <summary>How one channel delivers one alert; stored in alert_routes.delivery with these snake_case names.</summary>
public enum ChannelDelivery
{
    /// <summary>A message of its own, queued with the alert.</summary>
    Immediate,

    /// <summary>A line in the channel's next digest.</summary>
    Digest,

    /// <summary>Within a cooldown with the channel's digest off: stored and shown, not sent.</summary>
    None,
}
