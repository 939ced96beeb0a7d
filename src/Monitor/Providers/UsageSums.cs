using Monitor.Core.Usage;

namespace Monitor.Providers;

/// <summary>The running sums of one usage identity while a connector reads a window (see <see cref="UsageTally"/>).</summary>
public sealed class UsageSums
{
    public TokenCounts Tokens { get; set; }
    public long Requests { get; set; }
    public long Units { get; private set; }
    public string Unit { get; private set; } = "";
    public string? KeyFingerprint { get; set; }

    /// <summary>Money the provider reports for these rows, where it reports it per row; null when it does not.</summary>
    public decimal? Reported { get; private set; }

    private decimal _estimate;
    private bool _unpriced;

    /// <summary>The catalog estimate of everything added, or null when any part of it had no price.</summary>
    public decimal? Estimate => _unpriced ? null : _estimate;

    /// <summary>Adds one row's catalog estimate; a null (no price) makes the whole estimate unknown, never a silent zero.</summary>
    public void AddEstimate(decimal? estimate)
    {
        if (estimate is { } e)
            _estimate += e;
        else
            _unpriced = true;
    }

    public void AddReported(decimal amount) => Reported = (Reported ?? 0m) + amount;

    public void AddUnits(long units, string unit)
    {
        Units += units;
        Unit = unit;
    }
}
