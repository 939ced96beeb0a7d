namespace Monitor.Core.Keys;

/// <summary>What is expected of a key: rotated before <see cref="MaxAge"/>, used within <see cref="UnusedAfter"/>. Null: no such rule.</summary>
public sealed record KeyPolicy(TimeSpan? MaxAge, TimeSpan? UnusedAfter);
