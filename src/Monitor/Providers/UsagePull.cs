using Monitor.Core.Deprecations;
using Monitor.Core.Usage;

namespace Monitor.Providers;

/// <summary>
/// The records of one usage window; the ledger replaces exactly [From, To) of the account with them.
/// With <paramref name="MonthToDate"/>, its <c>month</c> records are month-to-date totals (one per workspace, model and
/// category): the ledger keeps them as polls and derives the month's buckets from all polls so far; its other records
/// are written as they are.
/// </summary>
public sealed record UsagePull(string Endpoint, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<UsageRecord> Records, bool MonthToDate = false)
{
    /// <summary>
    /// Aliases the usage itself showed resolved (Mistral's <c>alias::model</c> keys), each at the start of the bucket it
    /// was seen in: remembered in the alias history beside what the model list says.
    /// </summary>
    public IReadOnlyList<AliasObservation> Aliases { get; init; } = [];
}
