using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Hosting;

namespace Monitor.Providers;

/// <summary>
/// The one place a connector's sums become ledger records, so that the cost rule is written once: a reported amount
/// wins, else the catalog estimate, else the record is unpriced (never a silent zero); the estimate is kept beside a
/// reported cost for reconciliation.
/// </summary>
public sealed class RecordFactory(ProviderOptions account, DateTimeOffset ingestedAt)
{
    public ProviderKind Provider { get; } = account.ParsedKind;

    /// <summary>A record of <paramref name="sums"/>; <paramref name="reported"/> (a share of a day's bill) overrides the sums' own.</summary>
    public UsageRecord Create(UsageKey key, UsageSums sums, Currency currency, decimal? reported = null)
    {
        ArgumentNullException.ThrowIfNull(sums);
        reported ??= sums.Reported;
        var estimate = sums.Estimate;
        return new UsageRecord
        {
            Account = key.Account,
            Provider = Provider,
            Workspace = key.Workspace,
            KeyId = key.KeyId,
            KeyFingerprint = sums.KeyFingerprint,
            Model = key.Model,
            Category = key.Category,
            BucketStart = key.BucketStart,
            BucketWidth = key.BucketWidth,
            Tokens = sums.Tokens,
            Requests = sums.Requests,
            Units = sums.Units,
            Unit = sums.Unit,
            Cost = reported ?? estimate,
            Currency = currency,
            CostSource = CostSources.Of(reported, estimate),
            EstimatedCost = estimate,
            Source = RecordSource.Api,
            IngestedAt = ingestedAt,
        };
    }

    /// <summary>A money-only record: a reported cost line with no usage to carry it (a day's tools, storage, the unattributed rest).</summary>
    public UsageRecord Cost(UsageKey key, decimal reported, Currency currency) => new()
    {
        Account = key.Account,
        Provider = Provider,
        Workspace = key.Workspace,
        KeyId = key.KeyId,
        Model = key.Model,
        Category = key.Category,
        BucketStart = key.BucketStart,
        BucketWidth = key.BucketWidth,
        Cost = reported,
        Currency = currency,
        CostSource = CostSource.Reported,
        Source = RecordSource.Api,
        IngestedAt = ingestedAt,
    };

    /// <summary>All records of a tally, in the order first seen.</summary>
    public IEnumerable<UsageRecord> All(UsageTally tally, Currency currency)
    {
        ArgumentNullException.ThrowIfNull(tally);
        foreach (var (key, sums) in tally.Entries)
            yield return Create(key, sums, currency);
    }
}
