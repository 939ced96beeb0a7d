namespace Monitor.Core.Budgets;

/// <summary>What a budget counts: any mix of account, workspace (or project), key and model; null matches anything.</summary>
public sealed record BudgetScope(string? Account = null, string? Workspace = null, string? KeyId = null, string? Model = null)
{
    public bool Matches(string account, string workspace, string keyId, string model) =>
        (Account is null || Account == account) && (Workspace is null || Workspace == workspace)
        && (KeyId is null || KeyId == keyId) && (Model is null || Model == model);

    public override string ToString()
    {
        var parts = new List<string>();
        if (Account is not null) parts.Add($"account {Account}");
        if (Workspace is not null) parts.Add($"workspace {Workspace}");
        if (KeyId is not null) parts.Add($"key {KeyId}");
        if (Model is not null) parts.Add($"model {Model}");
        return parts.Count == 0 ? "all spend" : string.Join(", ", parts);
    }
}
