using Dapper;

namespace Monitor.Storage;

/// <summary>
/// Which usage a read covers: the rows of one account, workspace, key or model, or any combination (null: any). Turned
/// into SQL only as fixed column names with parameters; the values never reach the SQL text. The columns exist in both
/// <c>usage_records</c> and <c>usage_daily</c>.
/// </summary>
public sealed record UsageScope(string? Account = null, string? Workspace = null, string? KeyId = null, string? Model = null)
{
    public static UsageScope All { get; } = new();

    /// <summary>The conditions to append to a WHERE clause (each starts with " AND ").</summary>
    public string Sql =>
        (Account is null ? "" : " AND account = @scopeAccount")
        + (Workspace is null ? "" : " AND workspace = @scopeWorkspace")
        + (KeyId is null ? "" : " AND key_id = @scopeKey")
        + (Model is null ? "" : " AND model = @scopeModel");

    public void AddTo(DynamicParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.Add("scopeAccount", Account);
        parameters.Add("scopeWorkspace", Workspace);
        parameters.Add("scopeKey", KeyId);
        parameters.Add("scopeModel", Model);
    }
}
