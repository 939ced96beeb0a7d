namespace Monitor.Storage;

/// <summary>A model for the model export: as listed (aliases, shutdown, replacement) and as used by the counted usage.</summary>
public sealed record ExportedModel
{
    public string Account { get; init; } = "";
    public string Provider { get; init; } = "";
    public string Model { get; init; } = "";
    public string Aliases { get; init; } = "";
    public long? ShutdownAt { get; init; }
    public string? Replacement { get; init; }
    public long? UsageRecords { get; init; }
    public long? LastUsedAt { get; init; }
    public string? Currency { get; init; }
}
