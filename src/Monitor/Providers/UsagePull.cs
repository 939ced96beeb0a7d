using Monitor.Core.Usage;

namespace Monitor.Providers;

/// <summary>The records of one usage window; the ledger replaces exactly [From, To) of the account with them.</summary>
public sealed record UsagePull(string Endpoint, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<UsageRecord> Records);
