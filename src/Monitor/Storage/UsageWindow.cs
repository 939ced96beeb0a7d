using Dapper;

namespace Monitor.Storage;

/// <summary>
/// A window [From, To) (Unix seconds) cut at UTC day boundaries: the ledger's buckets in [From, Split) and [Tail, To),
/// the daily rollup's whole days in [Split, Tail) (empty when the window lies inside one day). Split and Tail are
/// midnights. <see cref="MonthFrom"/> is the start of the month that holds From: a month-wide bucket (Mistral's opening
/// balance of a month) that starts there overlaps the window.
/// </summary>
public readonly record struct UsageWindow(long From, long Split, long Tail, long To, long MonthFrom)
{
    public static UsageWindow Of(DateTimeOffset from, DateTimeOffset to)
    {
        long f = from.ToUnixTimeSeconds(), t = to.ToUnixTimeSeconds();
        var tail = Floor(t);
        var firstWholeDay = Floor(f) == f ? f : Floor(f) + Sql.Day;
        var month = new DateTimeOffset(from.UtcDateTime.Year, from.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        return new UsageWindow(f, Math.Min(firstWholeDay, tail), tail, t, month);
    }

    /// <summary>The UTC midnight at or before <paramref name="seconds"/>.</summary>
    public static long Floor(long seconds) => seconds - (((seconds % Sql.Day) + Sql.Day) % Sql.Day);

    /// <summary>
    /// The rollup's whole days of the window; with <paramref name="overlappingMonths"/> also the month-wide row that
    /// starts before them (at <see cref="MonthFrom"/>) and overlaps the window.
    /// </summary>
    public static string WholeDays(bool overlappingMonths) => overlappingMonths
        ? "((day >= @split AND day < @tail) OR (is_month = 1 AND day = @monthFrom AND day < @split))"
        : "day >= @split AND day < @tail";

    /// <summary>
    /// The ledger's buckets at both edges of the window (counted source only); with <paramref name="overlappingMonths"/>
    /// also a month-wide bucket that starts on the last day before From (a window inside the month's first day).
    /// </summary>
    public static string Edges(bool overlappingMonths) => overlappingMonths
        ? """
          ((bucket_start >= @from AND bucket_start < @split AND bucket_width <> 'month')
           OR (bucket_start >= @tail AND bucket_start < @to AND (bucket_width = 'month' OR bucket_start >= @from))) AND counted = 1
          """
        : """
          ((bucket_start >= @from AND bucket_start < @split) OR (bucket_start >= @tail AND bucket_start < @to AND bucket_start >= @from))
            AND counted = 1
          """;

    public void AddTo(DynamicParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.Add("from", From);
        parameters.Add("split", Split);
        parameters.Add("tail", Tail);
        parameters.Add("to", To);
        parameters.Add("monthFrom", MonthFrom);
    }
}
