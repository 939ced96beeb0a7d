namespace Monitor.Storage;

/// <summary>How a panel splits its metric. Wire names: provider, account, workspace, key, model, token_category.</summary>
public enum PanelGrouping
{
    Provider,
    Account,
    Workspace,
    Key,
    Model,

    /// <summary>Input, cached input, cache write and output tokens as four series; only with the tokens metric.</summary>
    TokenCategory,
}
