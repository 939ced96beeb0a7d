namespace Monitor.Core.Budgets;

/// <summary>
/// Spend expected by the period's end, in micro-units, with the projected cumulative curve from now to the end (for
/// the chart) and how it was made ("weekday and hour pattern" or "linear", when history is too short for a pattern).
/// </summary>
public sealed record SpendProjection(double SpentMicros, double ForecastMicros, IReadOnlyList<(DateTimeOffset At, double Micros)> Curve, string Method);
