using System.Runtime.CompilerServices;
using Monitor.Core.Usage;

namespace Monitor.Providers;

/// <summary>
/// Compares usage identities whose strings are reference-stable (taken from one reader's string pool, or literals and
/// the account name) by reference instead of by content: a backfill's hottest dictionary does not hash ids character
/// by character. Only for a <see cref="UsageTally"/> fed that way: two equal ids from different instances would be two
/// identities.
/// </summary>
public sealed class PooledUsageKeys : IEqualityComparer<UsageKey>
{
    public static readonly PooledUsageKeys Instance = new();

    private PooledUsageKeys()
    {
    }

    public bool Equals(UsageKey a, UsageKey b) =>
        a.BucketStart == b.BucketStart && a.BucketWidth == b.BucketWidth
        && ReferenceEquals(a.Workspace, b.Workspace) && ReferenceEquals(a.KeyId, b.KeyId) && ReferenceEquals(a.Model, b.Model)
        && ReferenceEquals(a.Category, b.Category) && ReferenceEquals(a.Account, b.Account);

    public int GetHashCode(UsageKey k) =>
        HashCode.Combine(k.BucketStart.UtcTicks, RuntimeHelpers.GetHashCode(k.Workspace), RuntimeHelpers.GetHashCode(k.KeyId),
            RuntimeHelpers.GetHashCode(k.Model), RuntimeHelpers.GetHashCode(k.Category));
}
