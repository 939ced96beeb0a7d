namespace Monitor.Providers;

/// <summary>Window arithmetic shared by connectors: UTC day and month alignment, chunking.</summary>
public static class Windows
{
    public static DateTimeOffset FloorDay(DateTimeOffset t) => new(t.UtcDateTime.Date, TimeSpan.Zero);

    public static DateTimeOffset CeilDay(DateTimeOffset t)
    {
        var floor = FloorDay(t);
        return floor == t ? t : floor.AddDays(1);
    }

    public static DateTimeOffset FloorMonth(DateTimeOffset t) => new(t.UtcDateTime.Year, t.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Whole UTC days, chunks of at most <paramref name="chunk"/> (at least one day).</summary>
    public static IReadOnlyList<(DateTimeOffset From, DateTimeOffset To)> Days(DateTimeOffset from, DateTimeOffset to, TimeSpan chunk)
    {
        var days = Math.Max(1, (int)chunk.TotalDays);
        var result = new List<(DateTimeOffset, DateTimeOffset)>();
        for (var start = FloorDay(from); start < to; start = start.AddDays(days))
        {
            var end = start.AddDays(days);
            result.Add((start, end < CeilDay(to) ? end : CeilDay(to)));
        }

        return result;
    }

    /// <summary>Whole UTC months overlapping [from, to).</summary>
    public static IReadOnlyList<(DateTimeOffset From, DateTimeOffset To)> Months(DateTimeOffset from, DateTimeOffset to)
    {
        var result = new List<(DateTimeOffset, DateTimeOffset)>();
        for (var start = FloorMonth(from); start < to; start = start.AddMonths(1))
            result.Add((start, start.AddMonths(1)));
        return result;
    }
}
