namespace Monitor.Core.Anomalies;

/// <summary>
/// Flagged steps of one series merged into one incident: its real start, the last flagged step, the extra spend so
/// far, the highest score, every signal seen and the step at which the guards were first met (when it alerted). An
/// incident whose flagged steps are all a first quarter end's surge (<see cref="AnomalySignals.FirstQuarterEnd"/>) is
/// only noted when the guards are met; it alerts once a step of another kind joins it.
/// </summary>
public sealed record AnomalyIncident
{
    public required long Start { get; init; }
    public required long End { get; init; }
    public required double Extra { get; init; }
    public required double PeakScore { get; init; }
    public required AnomalySignals Signals { get; init; }
    public required int FlaggedSteps { get; init; }
    public long? ReportableAt { get; init; }

    /// <summary>When the guards were met while every flagged step was a first quarter end's surge (null otherwise).</summary>
    public long? NotedAt { get; init; }

    /// <summary>Flagged steps that are not a first quarter end's surge.</summary>
    public int AlertingSteps { get; init; }

    /// <summary>Noted only: a likely first quarter-end job, reported in the digest rather than alerted.</summary>
    public bool NotedOnly => ReportableAt is null && NotedAt is not null;

    /// <summary>The largest observed value and its baseline among the flagged steps (for the evidence).</summary>
    public double PeakObserved { get; init; }

    public double PeakBaseline { get; init; }

    /// <summary>The extra spend per day if the incident continues at its pace so far (24 steps a day when hourly).</summary>
    public double ExtraPerDay(double stepsPerDay) => Extra / (End - Start + 1) * stepsPerDay;
}
