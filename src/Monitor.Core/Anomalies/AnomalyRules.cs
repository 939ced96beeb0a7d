namespace Monitor.Core.Anomalies;

/// <summary>
/// When a scored hour becomes part of an incident and when an incident is worth an alert: the score threshold and the
/// minimum impact guards (relative per hour, absolute extra spend per incident) that keep tiny series quiet.
/// </summary>
public sealed record AnomalyRules
{
    /// <summary>Score at or above which an hour is anomalous.</summary>
    public double AlertScore { get; init; } = 0.5;

    /// <summary>An hour counts only if it is at least this much above its baseline (0.5: 50% more).</summary>
    public double MinImpactRelative { get; init; } = 0.5;

    /// <summary>An incident alerts once its extra spend reaches this amount (in the account's currency).</summary>
    public decimal MinImpactAbsolute { get; init; } = 2m;

    /// <summary>An incident also alerts once two flagged steps run at this much extra per day (if it continues).</summary>
    public decimal MinImpactPerDay { get; init; } = 10m;

    /// <summary>Flagged hours closer than this belong to one incident.</summary>
    public int MergeGapSteps { get; init; } = 6;

    /// <summary>A key without usage for this many days that becomes active is a quiet key waking up.</summary>
    public int QuietDays { get; init; } = 21;

    /// <summary>An old key that has been silent this long while a newer key of its workspace exists counts as rotated.</summary>
    public int RotatedQuietDays { get; init; } = 3;
}
