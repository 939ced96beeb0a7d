using Monitor.Core.Usage;

namespace Monitor.Providers;

/// <summary>
/// The records of one usage window; the ledger replaces exactly [From, To) of the account with them.
/// With <paramref name="MonthToDate"/>, the records are month-to-date totals (one <c>month</c> record per workspace and
/// model): the ledger keeps them as polls and derives the month's buckets from all polls so far.
/// </summary>
public sealed record UsagePull(string Endpoint, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<UsageRecord> Records, bool MonthToDate = false);
