namespace Monitor.Demo;

/// <summary>The injected anomaly: a key that burns far more than usual between <see cref="Start"/> and <see cref="End"/> (UTC).</summary>
public sealed record DemoIncident(string Provider, string KeyId, string Model, DateTimeOffset Start, DateTimeOffset End);
