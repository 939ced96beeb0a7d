using Monitor.Core.Pricing;
using Monitor.Core.Usage;

namespace Monitor.Proxy;

/// <summary>
/// What the proxy learnt from one forwarded call: who called (account, key fingerprint: never the key), the model as
/// the provider answered it, the usage the response reported, its price from the catalog, and the upstream status
/// (a failed call counts as a request with its status and no tokens).
/// </summary>
public sealed record MeteredCall
{
    public required string Account { get; init; }
    public required string KeyFingerprint { get; init; }
    public required string Model { get; init; }
    public required DateTimeOffset At { get; init; }
    public required int Status { get; init; }
    public TokenCounts Tokens { get; init; }

    /// <summary>The catalog price of <see cref="Tokens"/>, or null when the model has no price (unpriced, never zero).</summary>
    public decimal? Cost { get; init; }

    public Currency Currency { get; init; }

    /// <summary>"" for tokens; <c>ocr</c> for Mistral OCR pages (<see cref="Units"/> in <see cref="Unit"/>).</summary>
    public string Category { get; init; } = "";

    /// <summary>Billed units that are not tokens (OCR pages), 0 when none.</summary>
    public long Units { get; init; }

    /// <summary>The unit of <see cref="Units"/> (<c>pages</c>), or "".</summary>
    public string Unit { get; init; } = "";
}
