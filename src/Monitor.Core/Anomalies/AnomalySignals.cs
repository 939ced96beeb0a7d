namespace Monitor.Core.Anomalies;

/// <summary>Which of the detector's tests fired on a point.</summary>
[Flags]
public enum AnomalySignals
{
    None = 0,

    /// <summary>Far above the seasonal baseline (robust z).</summary>
    Spike = 1,

    /// <summary>A sustained moderate excess (CUSUM).</summary>
    Shift = 2,

    /// <summary>The level has been creeping up for days (fast level well above the slow one).</summary>
    Ramp = 4,

    /// <summary>Activity at a time of day when the series is normally silent.</summary>
    UnusualHour = 16,

    /// <summary>A model the key (or workspace) has never used before.</summary>
    NewModel = 32,

    /// <summary>That new model costs more per token than any the key used before.</summary>
    ExpensiveModel = 64,

    /// <summary>The key should be quiet: disabled, deleted, expired, or unused for weeks.</summary>
    QuietKey = 128,

    /// <summary>A newer key for the same workspace exists and this old one had gone quiet.</summary>
    RotatedKey = 256,

    /// <summary>Usage under a key id that the provider's key listing does not have.</summary>
    UnknownKey = 512,

    /// <summary>Used again after a silence of a week or more, many times its usual gap between sessions.</summary>
    Dormant = 1024,

    /// <summary>
    /// On a quarter's closing days with no quarter end remembered, within a few times the key's recent peak: likely a
    /// quarter-end job seen for the first time. An incident of such steps only is noted (a digest line), not alerted.
    /// </summary>
    FirstQuarterEnd = 2048,
}
