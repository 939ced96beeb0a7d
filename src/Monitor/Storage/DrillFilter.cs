namespace Monitor.Storage;

/// <summary>
/// What a drill-down page narrows the ledger to: one account, one key or one model (exactly one is set). Reads use its
/// <see cref="Scope"/>: fixed column names with parameters, the values never reach the SQL text.
/// </summary>
public sealed record DrillFilter(string? Account, string? KeyId, string? Model)
{
    public static DrillFilter None { get; } = new(null, null, null);

    /// <summary>"account", "key" or "model": the query parameter that named it.</summary>
    public string Dimension => Account is not null ? "account" : KeyId is not null ? "key" : Model is not null ? "model" : "";

    public string Value => Account ?? KeyId ?? Model ?? "";

    /// <summary>The ledger rows it narrows to.</summary>
    public UsageScope Scope => new(Account: Account, KeyId: KeyId, Model: Model);
}
