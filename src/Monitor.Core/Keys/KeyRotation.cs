namespace Monitor.Core.Keys;

/// <summary>An observed rotation: <see cref="New"/> appeared beside <see cref="Old"/>, which should be silent after <see cref="GraceEndsAt"/>.</summary>
public sealed record KeyRotation(KeyState Old, KeyState New, DateTimeOffset GraceEndsAt);
