namespace Monitor.Core.Anomalies;

/// <summary>Scores a whole generic series point by point with one <see cref="NoveltyDetector"/>: what <c>monitor detect</c> does.</summary>
public static class SeriesScoring
{
    /// <summary>
    /// Fills <paramref name="scores"/> with each point's score in [0, 1], computed from the points before it (in the
    /// order given) only. The step, which sets the time-of-day context, is inferred from the timestamps; timestamps
    /// that go back or repeat are scored where they stand.
    /// </summary>
    public static void Score(ReadOnlySpan<long> unixSeconds, ReadOnlySpan<double> values, Span<double> scores)
    {
        if (values.Length != unixSeconds.Length || scores.Length != values.Length)
            throw new ArgumentException("Timestamps, values and scores must have the same length.", nameof(scores));
        var detector = new NoveltyDetector(SeriesStep.Infer(unixSeconds));
        for (var i = 0; i < values.Length; i++)
            scores[i] = detector.Next(unixSeconds[i], values[i]);
    }
}
