namespace Monitor.Core.Alerts;

/// <summary>
/// Which alerts a channel takes and how it delivers them: kinds, lowest severity and scope (empty lists match
/// anything), then the severity from which it delivers at once, whether it keeps a digest and its cooldown.
/// </summary>
public sealed record ChannelRoute
{
    public required string Channel { get; init; }
    public IReadOnlyCollection<AlertKind> Kinds { get; init; } = [];
    public AlertSeverity MinSeverity { get; init; } = AlertSeverity.Info;
    public IReadOnlyCollection<string> Accounts { get; init; } = [];
    public IReadOnlyCollection<string> Workspaces { get; init; } = [];
    public IReadOnlyCollection<string> Keys { get; init; } = [];
    public IReadOnlyCollection<string> Models { get; init; } = [];

    /// <summary>Alerts below this severity wait for the channel's digest (when it keeps one).</summary>
    public AlertSeverity ImmediateSeverity { get; init; } = AlertSeverity.Info;

    public bool Digest { get; init; }

    /// <summary>After a message on a scope, further alerts of no higher severity on it within this time go to the digest.</summary>
    public TimeSpan Cooldown { get; init; }

    public bool Takes(AlertDecision d) =>
        d.Severity >= MinSeverity
        && (Kinds.Count == 0 || Kinds.Contains(d.Kind))
        && Matches(Accounts, d.Account) && Matches(Workspaces, d.Workspace) && Matches(Keys, d.KeyId) && Matches(Models, d.Model);

    private static bool Matches(IReadOnlyCollection<string> wanted, string? actual) =>
        wanted.Count == 0 || (actual is not null && wanted.Contains(actual, StringComparer.Ordinal));
}
