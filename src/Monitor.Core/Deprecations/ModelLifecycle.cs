namespace Monitor.Core.Deprecations;

/// <summary>What the monitor believes about one model's end: when it retires, what replaces it, and who said so.</summary>
public sealed record ModelLifecycle(string Model, DateTimeOffset RetiresAt, string? Replacement, string Source);
