namespace Monitor.Dashboard;

/// <summary>
/// Turns a window into a half-open UTC range [From, To) of bucket starts. To is the start of tomorrow, so today's
/// buckets count; "30d" is today and the 29 days before it; "mtd" starts on the first of the current UTC month.
/// </summary>
public static class PanelWindows
{
    public static (DateTimeOffset From, DateTimeOffset To) RangeOf(this PanelWindow window, DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        var today = new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero);
        var from = window switch
        {
            PanelWindow.MonthToDate => new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero),
            PanelWindow.Last7Days => today.AddDays(-6),
            PanelWindow.Last30Days => today.AddDays(-29),
            PanelWindow.Last90Days => today.AddDays(-89),
            _ => throw new ArgumentOutOfRangeException(nameof(window), window, null),
        };
        return (from, today.AddDays(1));
    }

    /// <summary>Human label for headings: "month to date", "last 30 days".</summary>
    public static string Describe(this PanelWindow window) => window switch
    {
        PanelWindow.MonthToDate => "month to date",
        PanelWindow.Last7Days => "last 7 days",
        PanelWindow.Last30Days => "last 30 days",
        PanelWindow.Last90Days => "last 90 days",
        _ => throw new ArgumentOutOfRangeException(nameof(window), window, null),
    };
}
