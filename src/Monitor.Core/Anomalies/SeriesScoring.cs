namespace Monitor.Core.Anomalies;

/// <summary>Scores a whole series point by point with one online <see cref="SeriesDetector"/>: what <c>monitor detect</c> does.</summary>
public static class SeriesScoring
{
    /// <summary>
    /// Fills <paramref name="scores"/> with each point's score in [0, 1], computed from the points before it only. The
    /// step (and so the seasonality) is inferred from the timestamps; rises and drops both count.
    /// </summary>
    public static void Score(ReadOnlySpan<long> unixSeconds, ReadOnlySpan<double> values, Span<double> scores)
    {
        if (values.Length != unixSeconds.Length || scores.Length != values.Length)
            throw new ArgumentException("Timestamps, values and scores must have the same length.", nameof(scores));
        var step = SeriesStep.Infer(unixSeconds);
        var detector = new SeriesDetector(DetectorSettings.ForStep(step, bothDirections: true));
        var seconds = (long)step.TotalSeconds;
        for (var i = 0; i < values.Length; i++)
        {
            var index = seconds > 0 ? Math.DivRem(unixSeconds[i], seconds, out _) : i;
            scores[i] = detector.Next(index, values[i]).Score;
        }
    }
}
