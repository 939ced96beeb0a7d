namespace Monitor.Core.Deprecations;

/// <summary>From <see cref="FirstSeenAt"/> on, the provider's model list resolved <see cref="Alias"/> to <see cref="Model"/>.</summary>
public sealed record AliasObservation(string Account, string Alias, string Model, DateTimeOffset FirstSeenAt);
