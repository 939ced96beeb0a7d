namespace Monitor.Core.Anomalies;

/// <summary>The regular step of a time series (an hour, a day, five minutes), inferred from its timestamps.</summary>
public static class SeriesStep
{
    /// <summary>
    /// The most common positive gap between consecutive timestamps (Unix seconds) among the first thousand, when at
    /// least half of the gaps are a multiple of it; otherwise <see cref="TimeSpan.Zero"/> (irregular: no seasonality).
    /// </summary>
    public static TimeSpan Infer(ReadOnlySpan<long> unixSeconds)
    {
        var n = Math.Min(unixSeconds.Length, 1001);
        if (n < 3)
            return TimeSpan.Zero;
        var gaps = new Dictionary<long, int>();
        for (var i = 1; i < n; i++)
        {
            var gap = unixSeconds[i] - unixSeconds[i - 1];
            if (gap > 0)
                gaps[gap] = gaps.GetValueOrDefault(gap) + 1;
        }

        if (gaps.Count == 0)
            return TimeSpan.Zero;
        var step = gaps.MaxBy(g => (g.Value, -g.Key)).Key;
        var multiples = gaps.Where(g => g.Key % step == 0).Sum(g => g.Value);
        return multiples * 2 >= n - 1 ? TimeSpan.FromSeconds(step) : TimeSpan.Zero;
    }
}
