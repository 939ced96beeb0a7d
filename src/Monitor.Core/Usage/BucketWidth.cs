namespace Monitor.Core.Usage;

/// <summary>How much time one usage record covers. Wire and export names: 1m, 1h, 1d, month.</summary>
public enum BucketWidth
{
    Minute,
    Hour,
    Day,
    Month,
}

public static class BucketWidths
{
    public static string ToWire(this BucketWidth width) => width switch
    {
        BucketWidth.Minute => "1m",
        BucketWidth.Hour => "1h",
        BucketWidth.Day => "1d",
        BucketWidth.Month => "month",
        _ => throw new ArgumentOutOfRangeException(nameof(width), width, null),
    };

    public static bool TryParse(string? text, out BucketWidth width)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "1m": width = BucketWidth.Minute; return true;
            case "1h": width = BucketWidth.Hour; return true;
            case "1d": width = BucketWidth.Day; return true;
            case "month" or "1mo": width = BucketWidth.Month; return true;
            default: width = default; return false;
        }
    }

    /// <summary>The exclusive end of a bucket that starts at <paramref name="start"/> (UTC).</summary>
    public static DateTimeOffset EndOf(this BucketWidth width, DateTimeOffset start) => width switch
    {
        BucketWidth.Minute => start.AddMinutes(1),
        BucketWidth.Hour => start.AddHours(1),
        BucketWidth.Day => start.AddDays(1),
        BucketWidth.Month => start.AddMonths(1),
        _ => throw new ArgumentOutOfRangeException(nameof(width), width, null),
    };

    /// <summary>True when <paramref name="start"/> is a valid start for this width (aligned in UTC).</summary>
    public static bool IsAligned(this BucketWidth width, DateTimeOffset start)
    {
        var utc = start.UtcDateTime;
        return start.Offset == TimeSpan.Zero && width switch
        {
            BucketWidth.Minute => utc.Second == 0 && utc.Millisecond == 0,
            BucketWidth.Hour => utc.TimeOfDay.Minutes == 0 && utc.Second == 0 && utc.Millisecond == 0,
            BucketWidth.Day => utc.TimeOfDay == TimeSpan.Zero,
            BucketWidth.Month => utc.TimeOfDay == TimeSpan.Zero && utc.Day == 1,
            _ => false,
        };
    }
}
