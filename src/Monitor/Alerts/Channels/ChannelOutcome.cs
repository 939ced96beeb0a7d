namespace Monitor.Alerts.Channels;

/// <summary>What one POST to a channel came to: accepted, to be retried (not before <see cref="RetryAfter"/> when the channel said), or refused for good.</summary>
public sealed record ChannelOutcome(ChannelResult Result, string? Error = null, TimeSpan? RetryAfter = null)
{
    public static ChannelOutcome Sent { get; } = new(ChannelResult.Sent);
}

public enum ChannelResult
{
    Sent,

    /// <summary>5xx, 408, 429, a timeout or no connection: the channel may take it later, and the rest of its round waits too.</summary>
    Retry,

    /// <summary>Any other 4xx: the channel will never take this message; it is failed, and the others still go.</summary>
    Refused,
}
