namespace Monitor.Core.Deprecations;

/// <summary>A workspace or key calling a model, with what it spent and how often in the usage window.</summary>
public sealed record ModelCaller(string Workspace, string KeyId, string? KeyName, decimal Cost, long Requests)
{
    public string Label => (Workspace, KeyId) switch
    {
        ("", "") => "(no workspace or key)",
        (_, "") => $"workspace {Workspace}",
        ("", _) => $"key {KeyName ?? KeyId}",
        _ => $"workspace {Workspace}, key {KeyName ?? KeyId}",
    };
}
