using Microsoft.Extensions.Options;
using Monitor.Core.Alerts;
using Monitor.Core.Keys;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Checks;

/// <summary>
/// Key hygiene: rotation and expiry reminders, unused keys, rotations whose old key is still used after the grace
/// period, and revoked keys showing usage. It only reads: declared keys (Monitor:Keys:Declared) are in api_keys
/// already, written at start and at each pull, so the dashboard's keys due write nothing.
/// </summary>
public sealed class KeyRotationEvaluator(Database database, IOptions<MonitorOptions> options) : IAlertEvaluator
{
    private readonly LifecycleRepository _repository = new(database);

    public string Name => "keys";

    public async Task<IReadOnlyList<AlertDecision>> EvaluateAsync(CheckContext context, CancellationToken ct)
    {
        var asOf = context.AsOf;
        var (keys, policyOf) = await KeysAsync(asOf, ct);
        var o = options.Value;
        var to = o.Alerts.Email.To;

        var decisions = KeyAlerts.Reminders(keys, policyOf, to, asOf).ToList();
        foreach (var rotation in KeyAlerts.Rotations(keys, o.Keys.RotationGrace, asOf))
        {
            var usage = await UsageSinceAsync(rotation.Old, rotation.GraceEndsAt, asOf, ct);
            if (usage.Any)
                decisions.Add(KeyAlerts.StillUsed(rotation, usage, to));
        }

        foreach (var key in keys.Where(k => k.Revoked))
        {
            var usage = await UsageSinceAsync(key, key.StatusSince ?? key.FirstSeenAt, asOf, ct);
            if (usage.Any)
                decisions.Add(KeyAlerts.RevokedButUsed(key, usage, to));
        }

        return decisions;
    }

    /// <summary>Keys due at as-of (rotation, expiry, disuse): the deadlines the reminders are raised from, for the dashboard.</summary>
    public async Task<IReadOnlyList<KeyDeadline>> DeadlinesAsync(DateTimeOffset asOf, CancellationToken ct)
    {
        var (keys, policyOf) = await KeysAsync(asOf, ct);
        return [.. KeyAlerts.Deadlines(keys, policyOf, asOf)];
    }

    /// <summary>Keys known at as-of, by account and id, and the policy each key falls under.</summary>
    private async Task<(List<KeyState> Keys, Func<KeyState, KeyPolicy> PolicyOf)> KeysAsync(DateTimeOffset asOf, CancellationToken ct)
    {
        var o = options.Value;
        var kinds = o.Providers.Where(p => p.Enabled).ToDictionary(p => p.Name, p => p.ParsedKind, StringComparer.Ordinal);
        var keys = (await _repository.KeysAsync(asOf, ct))
            .Select(k => kinds.TryGetValue(k.Account, out var kind) ? k with { Provider = kind } : k)
            .OrderBy(k => k.Account, StringComparer.Ordinal).ThenBy(k => k.Key.KeyId, StringComparer.Ordinal)
            .ToList();
        var rules = o.Keys.Policies.Select(p => new KeyPolicyRule
        {
            Provider = p.Provider, Account = p.Account, KeyId = p.KeyId, MaxAge = p.MaxAge, UnusedAfter = p.UnusedAfter,
        }).ToList();
        var defaults = new KeyPolicy(o.Keys.MaxAge, o.Keys.UnusedAfter);
        return (keys, k => KeyPolicyRule.Resolve(rules, defaults, k));
    }

    /// <summary>The ledger's buckets for the key starting in [since, as-of), plus the listing's last-used time when it is later than since.</summary>
    private async Task<KeyUsage> UsageSinceAsync(KeyState key, DateTimeOffset since, DateTimeOffset asOf, CancellationToken ct)
    {
        var usage = await _repository.KeyUsageAsync(key.Account, key.Key.KeyId, since, asOf, ct);
        return key.Key.LastUsedAt is { } listed && listed > since ? usage with { ListedLastUsedAt = listed } : usage;
    }
}
