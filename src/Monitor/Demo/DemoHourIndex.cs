namespace Monitor.Demo;

/// <summary>One provider's demo hours sorted by start, for the fakes' bucketed reports.</summary>
internal sealed class DemoHourIndex
{
    private readonly DemoUsageHour[] _hours;
    private readonly DateTimeOffset[] _starts;

    public DemoHourIndex(DemoScenario scenario, string provider)
    {
        _hours = [.. scenario.Hours.Where(h => h.Provider == provider).OrderBy(h => h.HourStart)];
        _starts = [.. _hours.Select(h => h.HourStart)];
    }

    public IReadOnlyList<DemoUsageHour> All => _hours;

    /// <summary>Hours starting in [bucketStart, bucketEnd) ∩ [from, to).</summary>
    public IEnumerable<DemoUsageHour> HoursIn(DateTimeOffset bucketStart, DateTimeOffset bucketEnd, DateTimeOffset from, DateTimeOffset to)
    {
        var lo = bucketStart > from ? bucketStart : from;
        var hi = bucketEnd < to ? bucketEnd : to;
        var i = Array.BinarySearch(_starts, lo);
        if (i < 0)
            i = ~i;
        while (i > 0 && _starts[i - 1] == lo)
            i--;
        for (; i < _hours.Length && _starts[i] < hi; i++)
            yield return _hours[i];
    }
}
