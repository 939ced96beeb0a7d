using Monitor.Core.Usage;

namespace Monitor.Providers;

/// <summary>
/// The one accumulator of the connectors: provider rows are added into one <see cref="UsageSums"/> per ledger
/// identity (account, workspace, key, model, category, bucket), in the order first seen, and become one record each
/// through the <see cref="RecordFactory"/>. Providers that split a bucket finer than the ledger (per endpoint, per
/// billing group, per page) therefore never write the same identity twice.
/// </summary>
public sealed class UsageTally(IEqualityComparer<UsageKey>? comparer = null)
{
    private readonly Dictionary<UsageKey, UsageSums> _sums = new(comparer);

    public int Count => _sums.Count;

    public IEnumerable<KeyValuePair<UsageKey, UsageSums>> Entries => _sums;

    /// <summary>The sums of <paramref name="key"/>, created empty when new.</summary>
    public UsageSums At(UsageKey key)
    {
        if (!_sums.TryGetValue(key, out var sums))
            _sums[key] = sums = new UsageSums();
        return sums;
    }

    public bool TryGet(UsageKey key, out UsageSums sums) => _sums.TryGetValue(key, out sums!);
}
