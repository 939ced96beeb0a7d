namespace Monitor.Core.Deprecations;

/// <summary>
/// Which reminder step applies at <c>now</c> for a deadline. Steps cross at UTC day boundaries: the 30-day step starts
/// at 00:00 UTC thirty days before the deadline's UTC day, the 0-day step ("on the day") at 00:00 UTC of that day.
/// Only the latest crossed step is returned, so a check that was not running during an earlier step never sends that
/// stale reminder late: every reminder is sent at most once, in order.
/// </summary>
public static class Milestones
{
    public static readonly IReadOnlyList<int> Deprecation = [90, 30, 7, 1, 0];
    public static readonly IReadOnlyList<int> Key = [30, 7, 1];

    /// <summary>The step before the deadline, or null when none has started yet or the deadline has passed.</summary>
    public static Milestone? Before(DateTimeOffset deadline, DateTimeOffset now, IReadOnlyList<int> daysBefore)
    {
        if (now >= deadline)
            return null;
        var daysLeft = DaysLeft(deadline, now);
        int? step = null;
        foreach (var days in daysBefore)
        {
            if (daysLeft <= days && (step is null || days < step))
                step = days;
        }

        return step is { } s ? new Milestone($"{s}d", daysLeft, Overdue: false) : null;
    }

    /// <summary>The weekly escalation step once the deadline has passed (week 0 starts at the deadline), else null.</summary>
    public static Milestone? Overdue(DateTimeOffset deadline, DateTimeOffset now)
    {
        if (now < deadline)
            return null;
        var week = (int)((now - deadline).Ticks / TimeSpan.FromDays(7).Ticks);
        return new Milestone($"overdue-w{week}", DaysLeft(deadline, now), Overdue: true, week);
    }

    /// <summary>Whole UTC days from now's day to the deadline's day (negative once past).</summary>
    public static int DaysLeft(DateTimeOffset deadline, DateTimeOffset now) =>
        DateOnly.FromDateTime(deadline.UtcDateTime).DayNumber - DateOnly.FromDateTime(now.UtcDateTime).DayNumber;
}
