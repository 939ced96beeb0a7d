using Dapper;

namespace Monitor.Dashboard;

/// <summary>
/// What a drill-down page narrows the ledger to: one account, one key or one model (exactly one is set). Turned into
/// SQL only as fixed column names with parameters; the values never reach the SQL text.
/// </summary>
public sealed record DrillFilter(string? Account, string? KeyId, string? Model)
{
    public static DrillFilter None { get; } = new(null, null, null);

    /// <summary>"account", "key" or "model": the query parameter that named it.</summary>
    public string Dimension => Account is not null ? "account" : KeyId is not null ? "key" : Model is not null ? "model" : "";

    public string Value => Account ?? KeyId ?? Model ?? "";

    /// <summary>The conditions to append to a WHERE clause on usage_daily or usage_records.</summary>
    public string Sql =>
        (Account is null ? "" : " AND account = @filterAccount")
        + (KeyId is null ? "" : " AND key_id = @filterKey")
        + (Model is null ? "" : " AND model = @filterModel");

    public void AddTo(DynamicParameters parameters)
    {
        parameters.Add("filterAccount", Account);
        parameters.Add("filterKey", KeyId);
        parameters.Add("filterModel", Model);
    }
}
