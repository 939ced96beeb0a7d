namespace Monitor.Core.Deprecations;

/// <summary>A model as the provider's model list describes it, with its announced shutdown and replacement.</summary>
public sealed record ModelInfo
{
    public required string Model { get; init; }
    public IReadOnlyList<string> Aliases { get; init; } = [];
    public DateTimeOffset? ShutdownAt { get; init; }
    public string? Replacement { get; init; }
}
