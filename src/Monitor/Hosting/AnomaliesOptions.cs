using Monitor.Core.Anomalies;

namespace Monitor.Hosting;

/// <summary>Anomaly detection (<c>Monitor:Anomalies</c>): thresholds and minimum impact guards. Defaults live in appsettings.json.</summary>
public sealed class AnomaliesOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Score (0-1) at or above which an hour is anomalous.</summary>
    public double AlertScore { get; set; } = 0.5;

    /// <summary>An hour counts only when at least this much above its baseline (0.5: 50% more).</summary>
    public double MinImpactRelative { get; set; } = 0.5;

    /// <summary>An incident alerts once its extra spend reaches this amount, in the account's currency (USD or EUR).</summary>
    public decimal MinImpactAbsolute { get; set; } = 2m;

    /// <summary>An incident also alerts once two anomalous steps run at this much extra per day (if it continues).</summary>
    public decimal MinImpactPerDay { get; set; } = 10m;

    /// <summary>A key unused for this many days that becomes active alerts (with any spend).</summary>
    public int QuietDays { get; set; } = 21;

    /// <summary>An old key silent this many days while a newer key of its workspace exists counts as rotated.</summary>
    public int RotatedQuietDays { get; set; } = 3;

    /// <summary>The first check (no previous one) examines this far back.</summary>
    public TimeSpan InitialLookBack { get; set; } = TimeSpan.FromDays(3);

    public AnomalyRules ToRules() => new()
    {
        AlertScore = AlertScore, MinImpactRelative = MinImpactRelative, MinImpactAbsolute = MinImpactAbsolute,
        MinImpactPerDay = MinImpactPerDay, QuietDays = QuietDays, RotatedQuietDays = RotatedQuietDays,
    };
}
