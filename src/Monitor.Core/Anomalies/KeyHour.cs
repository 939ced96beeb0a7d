namespace Monitor.Core.Anomalies;

/// <summary>
/// One step of a watched series after scoring: observed spend, the baseline it is compared with, the extra over it,
/// the score and signals, and whether the hour counts towards an incident (score and relative guard passed).
/// </summary>
public readonly record struct KeyHour(
    long Step, double Observed, double Baseline, double Extra, double Score, AnomalySignals Signals, bool Flagged);
