using Monitor.Storage;

namespace Monitor.Alerts.Channels;

/// <summary>An alert as a channel message shows it: the stored alert, and the links to the dashboard, its page (the runbook) and its chart.</summary>
public sealed record ChannelAlert(AlertRow Alert, string Dashboard, string? Page, string? Chart)
{
    /// <summary>Account, workspace, key and model, as far as the alert names them ("account demo-openai · model gpt-4o").</summary>
    public string Scope => string.Join(" · ", Parts().Select(p => $"{p.Name} {p.Value}"));

    public IEnumerable<(string Name, string Value)> Parts()
    {
        if (Alert.Account is { } a)
            yield return ("account", a);
        if (Alert.Workspace is { } w)
            yield return ("workspace", w);
        if (Alert.KeyId is { } k)
            yield return ("key", k);
        if (Alert.Model is { } m)
            yield return ("model", m);
    }
}
