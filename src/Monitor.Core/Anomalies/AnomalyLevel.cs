namespace Monitor.Core.Anomalies;

/// <summary>What a watched series sums: one key, every key of a workspace (project), or a whole account.</summary>
public enum AnomalyLevel
{
    Key,
    Workspace,
    Account,
}
