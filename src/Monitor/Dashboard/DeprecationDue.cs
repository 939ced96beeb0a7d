namespace Monitor.Dashboard;

/// <summary>A model due to retire: when, its replacement, what it costs per month and which keys call it.</summary>
public sealed record DeprecationDue(
    string Account, string Model, DateTimeOffset RetiresAt, int DaysLeft, string? Replacement,
    decimal SpendPerMonth, string Currency, IReadOnlyList<string> CalledBy);
