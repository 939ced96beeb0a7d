using Monitor.Core.Keys;

namespace Monitor.Core.Budgets;

/// <summary>
/// Whether a proxied call (account, the caller's key fingerprint, the model asked for or answered) is in an enforced
/// budget's scope. Account: the account name. Key: the fingerprint itself, or a key id whose listed fingerprint or last
/// four is the caller's. Workspace: the workspace of the caller's listed key (a caller the listing does not know is in
/// no workspace). Model: the name, or an alias resolving to it (either way round). A call without a model is in no
/// model's scope.
/// </summary>
public static class EnforcedScope
{
    public static bool Matches(BudgetScope scope, string account, string fingerprint, string? model, CallerDirectory directory)
    {
        if (scope.Account is not null && scope.Account != account)
            return false;
        if (scope.Model is not null && (model is null || !SameModel(scope.Model, account, model, directory)))
            return false;
        if (scope.KeyId is not null && scope.KeyId != fingerprint
            && !directory.KeysWithId(account, scope.KeyId).Any(k => KeyMatch.Matches(fingerprint, k.Key)))
            return false;
        return scope.Workspace is null || directory.KeyOf(account, fingerprint)?.Workspace == scope.Workspace;
    }

    private static bool SameModel(string budgetModel, string account, string model, CallerDirectory directory) =>
        model == budgetModel || directory.Resolve(account, model) == budgetModel || directory.Resolve(account, budgetModel) == model;
}
