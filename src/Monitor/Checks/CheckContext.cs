namespace Monitor.Checks;

/// <summary>
/// The moment a check evaluates. <see cref="AsOf"/> is "now" for the evaluators (a replay passes a past time and must
/// only see data up to it); <see cref="PreviousAsOf"/> is the previous check's, so an evaluator can examine every
/// bucket written since then (backfills and imports included). Null on the first check.
/// </summary>
public sealed record CheckContext(DateTimeOffset AsOf, DateTimeOffset? PreviousAsOf);
