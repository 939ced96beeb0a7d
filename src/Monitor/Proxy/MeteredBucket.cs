using Monitor.Core.Usage;

namespace Monitor.Proxy;

/// <summary>
/// The calls of one account, key fingerprint, model and category in one UTC minute that reported usage, summed:
/// what one flush adds to that minute's ledger record. <see cref="Cost"/> is null when none of them had a price.
/// </summary>
public sealed record MeteredBucket(
    ProxyRoute Route, string KeyFingerprint, string Model, string Category, DateTimeOffset Minute,
    TokenCounts Tokens, long Requests, long Units, string Unit, decimal? Cost);
