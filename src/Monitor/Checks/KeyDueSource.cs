using Monitor.Dashboard;

namespace Monitor.Checks;

/// <summary>
/// The dashboard's "keys due for rotation": the deadlines the key check reminds about at that instant (rotation by
/// age, expiry, disuse; same keys, same policies), earliest due first. Keys appear by fingerprint only.
/// </summary>
public sealed class KeyDueSource(KeyRotationEvaluator keys) : IKeyRotationSource
{
    public async Task<IReadOnlyList<KeyDue>> KeysDueAsync(DateTimeOffset now, CancellationToken ct) =>
    [
        .. (await keys.DeadlinesAsync(now, ct))
            .Select(d => new KeyDue(
                d.Key.Account, d.Key.Key.KeyId, d.Key.Key.Name, d.Key.FingerprintText, d.Key.Key.Owner, d.Key.Key.CreatedAt,
                d.DueAt, d.DaysLeft(now), d.Reason))
            .OrderBy(k => k.DueAt).ThenBy(k => k.Account, StringComparer.Ordinal).ThenBy(k => k.KeyId, StringComparer.Ordinal),
    ];
}
