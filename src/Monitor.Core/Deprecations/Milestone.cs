namespace Monitor.Core.Deprecations;

/// <summary>
/// A reminder step before a deadline (<c>30d</c>: the deadline is 30 UTC days away or less) or after it
/// (<c>overdue-w2</c>: the third week past it). <see cref="Code"/> goes into dedup keys, so each step is raised once.
/// </summary>
public sealed record Milestone(string Code, int DaysLeft, bool Overdue, int OverdueWeek = 0);
