namespace Monitor.Storage;

/// <summary>
/// An account whose counted usage source was recorded anew at start: <see cref="Was"/> null the first time, and how
/// many of its ledger rows were re-marked.
/// </summary>
public sealed record UsageSourceChange(string Account, string? Was, string Now, int Remarked);
