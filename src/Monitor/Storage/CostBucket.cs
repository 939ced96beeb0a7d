namespace Monitor.Storage;

/// <summary>One priced bucket of a scope's cost as the budgets read it: a ledger bucket, a rolled-up day or a month row.</summary>
public readonly record struct CostBucket(
    string Account, string Workspace, string KeyId, string Model, string Currency, string Width, long Start, long CostMicros);
