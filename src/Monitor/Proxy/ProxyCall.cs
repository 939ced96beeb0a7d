namespace Monitor.Proxy;

/// <summary>One forwarded call while it runs: who called, where it goes, and what its response reported.</summary>
public sealed class ProxyCall
{
    public required ProxyRoute Route { get; init; }
    public required Uri Destination { get; init; }

    /// <summary>The caller's key fingerprint ("" without a key); never the key.</summary>
    public required string KeyFingerprint { get; init; }

    /// <summary>The model the request asked for, when its body named one.</summary>
    public string? RequestedModel { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary>True when the call is metered (a POST: inference); other calls are forwarded only.</summary>
    public bool Metered { get; init; }

    /// <summary>True when the proxy asked for stream usage the caller did not: the extra usage chunk is removed.</summary>
    public bool RemoveRequestedUsage { get; init; }

    public ResponseUsage Usage { get; } = new();
}
