using Monitor.Core.Usage;

namespace Monitor.Core.Deprecations;

/// <summary>
/// One announced retirement from the lifecycle data file: for providers whose model list has no such field
/// (Anthropic) and Mistral's published lifecycle table. <see cref="Source"/> says where the dates come from.
/// </summary>
public sealed record LifecycleEntry
{
    public required ProviderKind Provider { get; init; }
    public required string Model { get; init; }
    public IReadOnlyList<string> Aliases { get; init; } = [];
    public DateOnly? DeprecatedOn { get; init; }

    /// <summary>When calls stop working (a date is 00:00 UTC of that day unless the file gives a time).</summary>
    public required DateTimeOffset RetiresAt { get; init; }

    public string? Replacement { get; init; }
    public required string Source { get; init; }
}
