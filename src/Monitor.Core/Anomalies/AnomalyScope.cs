namespace Monitor.Core.Anomalies;

/// <summary>What a watched series belongs to: an account's key (empty key id: usage without a key) and its workspace.</summary>
public sealed record AnomalyScope(string Account, string Workspace, string KeyId, string? KeyName, string Currency);
