using Monitor.Core.Keys;

namespace Monitor.Core.Usage;

/// <summary>
/// A key the provider reports usage for on the day, which its key listing maps to a fingerprint or last four the proxy
/// never saw that day: its usage went around the proxy. Cost in micro-units (null where unpriced), tokens.
/// </summary>
public sealed record UnmeteredKey(ApiKeyInfo Key, string? Currency, long? CostMicros, long Tokens);
