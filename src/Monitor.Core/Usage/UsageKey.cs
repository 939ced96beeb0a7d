namespace Monitor.Core.Usage;

/// <summary>
/// The identity of one usage bucket in the ledger: re-pulling or re-importing the same key replaces the record.
/// Missing workspace and key ids (and the plain-token category) are empty strings, so that the identity stays comparable.
/// </summary>
public readonly record struct UsageKey(
    string Account, string Workspace, string KeyId, string Model, DateTimeOffset BucketStart, BucketWidth BucketWidth, string Category = "");
