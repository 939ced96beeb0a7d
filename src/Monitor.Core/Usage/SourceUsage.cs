namespace Monitor.Core.Usage;

/// <summary>
/// One usage source's usage of one model by one key (key id, or the proxy's key fingerprint) in one currency on one
/// UTC day of an account: <see cref="Metered"/> for the proxy, else the provider's usage (API pulls, imports).
/// Cost in micro-units of the priced rows; <see cref="UnpricedRows"/> rows had no cost.
/// </summary>
public sealed record SourceUsage(
    string Model, string KeyId, bool Metered, string Currency, long CostMicros, long UnpricedRows, long Tokens, long Requests);
