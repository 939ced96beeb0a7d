namespace Monitor.Core.Usage;

/// <summary>
/// Turns the polls of one month-to-date counter into ledger buckets whose sum is always the latest total:
/// <list type="bullet">
/// <item>the first poll is an opening <c>month</c> bucket: what was spent before the monitor watched, shape unknown;</item>
/// <item>each later increase is spread over the hours between the two polls (clamped to the month) in proportion to
/// time, so a poll every hour gives the true hourly usage and a gap of a day gives an even rate, not a spike;</item>
/// <item>a decrease (the provider corrected downwards) takes back from the latest increments first, then the opening,
/// so no bucket goes negative;</item>
/// <item>a poll after the month ended (the final total, read on rollover) lands in the month's last hours.</item>
/// </list>
/// </summary>
public static class MonthToDateIncrements
{
    private const int Metrics = 9; // input, cached, write, output, reasoning, requests, cost, estimate, units

    /// <param name="snapshots">One counter's polls, any order; all of the same month.</param>
    public static IReadOnlyList<UsageIncrement> Derive(IReadOnlyList<MonthToDateSnapshot> snapshots)
    {
        if (snapshots.Count == 0)
            return [];
        var polls = snapshots.OrderBy(s => s.TakenAt).ToList();
        var month = polls[0].Month;
        var monthEnd = month.AddMonths(1);
        var hasCost = polls.All(p => p.CostMicros is not null);
        var hasEstimate = polls.All(p => p.EstimatedMicros is not null);

        // Allocation i holds what poll i added over poll i-1 (allocation 0: the opening), per metric.
        var allocations = new List<long[]> { Vector(polls[0]) };
        for (var i = 1; i < polls.Count; i++)
        {
            var delta = Subtract(Vector(polls[i]), Vector(polls[i - 1]));
            for (var m = 0; m < Metrics; m++)
            {
                if (delta[m] >= 0)
                    continue;
                // A downward correction: take it back from the newest growth first, never below zero.
                var owed = -delta[m];
                delta[m] = 0;
                for (var j = allocations.Count - 1; j >= 0 && owed > 0; j--)
                {
                    var taken = Math.Min(owed, allocations[j][m]);
                    allocations[j][m] -= taken;
                    owed -= taken;
                }
            }

            allocations.Add(delta);
        }

        var hours = new SortedDictionary<DateTimeOffset, long[]>();
        for (var i = 1; i < polls.Count; i++)
            Spread(allocations[i], polls[i - 1].TakenAt, polls[i].TakenAt, month, monthEnd, hours);

        var result = new List<UsageIncrement>(hours.Count + 1);
        if (allocations[0].Any(v => v != 0))
            result.Add(Increment(month, BucketWidth.Month, allocations[0], hasCost, hasEstimate));
        result.AddRange(hours.Where(h => h.Value.Any(v => v != 0)).Select(h => Increment(h.Key, BucketWidth.Hour, h.Value, hasCost, hasEstimate)));
        return result;
    }

    // Spreads one increase over the hours of [from, to) inside the month, by overlap; remainders go to the last hour.
    private static void Spread(long[] delta, DateTimeOffset from, DateTimeOffset to, DateTimeOffset month, DateTimeOffset monthEnd, SortedDictionary<DateTimeOffset, long[]> hours)
    {
        if (delta.All(v => v == 0))
            return;
        var start = from < month ? month : from;
        var end = to > monthEnd ? monthEnd : to;
        if (end <= start)
        {
            // Both polls after the month ended (or at the same instant): the growth belongs to the month's last hour.
            start = (end < monthEnd ? end : monthEnd).AddHours(-1);
            end = start.AddHours(1);
        }

        var total = (end - start).Ticks;
        var slots = new List<(DateTimeOffset Hour, long Ticks)>();
        for (var hour = FloorHour(start); hour < end; hour = hour.AddHours(1))
        {
            var overlap = (Min(end, hour.AddHours(1)) - Max(start, hour)).Ticks;
            if (overlap > 0)
                slots.Add((hour, overlap));
        }

        var given = new long[Metrics];
        for (var s = 0; s < slots.Count; s++)
        {
            if (!hours.TryGetValue(slots[s].Hour, out var bucket))
                hours[slots[s].Hour] = bucket = new long[Metrics];
            for (var m = 0; m < Metrics; m++)
            {
                var share = s == slots.Count - 1 ? delta[m] - given[m] : (long)((decimal)delta[m] * slots[s].Ticks / total);
                bucket[m] += share;
                given[m] += share;
            }
        }
    }

    private static UsageIncrement Increment(DateTimeOffset start, BucketWidth width, long[] v, bool hasCost, bool hasEstimate) =>
        new(start, width, new TokenCounts(v[0], v[1], v[2], v[3], v[4]), v[5], hasCost ? v[6] : null, hasEstimate ? v[7] : null) { Units = v[8] };

    private static long[] Vector(MonthToDateSnapshot s) =>
    [
        s.Tokens.Input, s.Tokens.CachedInput, s.Tokens.CacheWrite, s.Tokens.Output, s.Tokens.Reasoning,
        s.Requests, s.CostMicros ?? 0, s.EstimatedMicros ?? 0, s.Units,
    ];

    private static long[] Subtract(long[] a, long[] b)
    {
        var r = new long[Metrics];
        for (var m = 0; m < Metrics; m++)
            r[m] = a[m] - b[m];
        return r;
    }

    private static DateTimeOffset FloorHour(DateTimeOffset t) =>
        new(t.UtcDateTime.Year, t.UtcDateTime.Month, t.UtcDateTime.Day, t.UtcDateTime.Hour, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
