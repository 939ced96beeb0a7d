namespace Monitor.Storage;

/// <summary>A listed key as the anomaly check reads it: its life (created, expires, last listed) and status.</summary>
public sealed class InventoryKey
{
    public string Account { get; init; } = "";
    public string KeyId { get; init; } = "";
    public string? Name { get; init; }
    public string Workspace { get; init; } = "";
    public string Status { get; init; } = "";
    public long? CreatedAt { get; init; }
    public long? ExpiresAt { get; init; }
    public long LastSeenAt { get; init; }
}
