namespace Monitor.Core.Alerts;

/// <summary>
/// A mute on a scope until a time: planned activity (a load test, a launch) or a known false alarm. Null fields match
/// anything. Anomaly baselines leave the muted stretch out, and alerts inside it are stored muted, not mailed.
/// </summary>
public sealed record AlertMute(
    long Id, AlertKind? Kind, string? Account, string? Workspace, string? KeyId, string? Model,
    DateTimeOffset From, DateTimeOffset Until, string Reason)
{
    public bool Covers(AlertDecision decision, DateTimeOffset at) =>
        at >= From && at < Until
        && (Kind is null || Kind == decision.Kind)
        && Matches(Account, decision.Account) && Matches(Workspace, decision.Workspace)
        && Matches(KeyId, decision.KeyId) && Matches(Model, decision.Model);

    /// <summary>Whether a ledger series' scope falls under this mute (for leaving muted hours out of a baseline).</summary>
    public bool CoversScope(string? account, string? workspace, string? keyId, string? model) =>
        Matches(Account, account) && Matches(Workspace, workspace) && Matches(KeyId, keyId) && Matches(Model, model);

    private static bool Matches(string? muted, string? actual) => muted is null || string.Equals(muted, actual, StringComparison.Ordinal);
}
