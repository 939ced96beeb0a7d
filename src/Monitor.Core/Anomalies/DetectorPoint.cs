namespace Monitor.Core.Anomalies;

/// <summary>
/// The detector's verdict on one point: <see cref="Score"/> in [0, 1], the baseline it expected (in the series' own
/// units), the slow <see cref="Baseline"/> a ramp is measured against, the robust z of the point and the signals that
/// fired. <see cref="Warm"/> is false while learning.
/// </summary>
public readonly record struct DetectorPoint(double Score, double Expected, double Baseline, double Z, AnomalySignals Signals, bool Warm);
