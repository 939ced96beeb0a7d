using Monitor.Core.Alerts;
using Monitor.Hosting;

namespace Monitor.Alerts.Channels;

/// <summary>A channel as the alert path uses it: its name and kind, what it takes (its route), its digest, and where it sends.</summary>
public sealed record AlertChannel(string Name, AlertChannelKind Kind, ChannelRoute Route, DigestSchedule Digest, AlertChannelOptions Options)
{
    /// <summary>The URL to POST to, read from the environment at each use (never stored, never logged).</summary>
    public string Url(Func<string, string?> environment) =>
        (string.IsNullOrEmpty(Options.Url) ? environment(Options.UrlEnv) : Options.Url)?.Trim()
        ?? throw new InvalidOperationException($"channel '{Name}': the environment variable {Options.UrlEnv} is not set");

    public string Secret(Func<string, string?> environment) =>
        environment(Options.SecretEnv) ?? throw new InvalidOperationException($"channel '{Name}': the environment variable {Options.SecretEnv} is not set");
}
