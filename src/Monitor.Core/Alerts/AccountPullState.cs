namespace Monitor.Core.Alerts;

/// <summary>What the ledger knows of an account's pulls: its first attempt, last success and last failure.</summary>
public sealed record AccountPullState(
    string Account, DateTimeOffset? FirstAttemptAt, DateTimeOffset? LastOkAt, DateTimeOffset? LastFailedAt, string? LastError);
