namespace Monitor.Core.Anomalies;

/// <summary>
/// What a watched series belongs to: an account's key (empty key id: usage without a key) and its workspace, or the
/// sum of a workspace's keys, or of the whole account (<see cref="Level"/>).
/// </summary>
public sealed record AnomalyScope(string Account, string Workspace, string KeyId, string? KeyName, string Currency, AnomalyLevel Level = AnomalyLevel.Key)
{
    /// <summary>A short stable name of the series within its account (the state table's key).</summary>
    public string SeriesId => Level switch
    {
        AnomalyLevel.Key => "k:" + Workspace + "\u001f" + KeyId,
        AnomalyLevel.Workspace => "w:" + Workspace,
        _ => "a:",
    };

    /// <summary>How the alert names it: a key, a workspace or the account.</summary>
    public string Who => Level switch
    {
        AnomalyLevel.Key => KeyId.Length == 0 ? "usage without a key" : $"key {KeyName ?? KeyId}",
        AnomalyLevel.Workspace => $"workspace {Workspace} (all its keys)",
        _ => "the whole account",
    };
}
