using Monitor.Core.Alerts;

namespace Monitor.Checks;

/// <summary>
/// One concern of <c>monitor check</c> (budgets, guard rails, anomalies, deprecations, keys, stale data). It reads what
/// it needs up to <see cref="CheckContext.AsOf"/> and returns decisions; raising, muting, routing and mailing are not
/// its business. Decisions must be deterministic for the same data, so their dedup keys repeat and nothing is sent twice.
/// </summary>
public interface IAlertEvaluator
{
    /// <summary>Short lower-case name for logs and the check summary ("budgets", "anomalies").</summary>
    string Name { get; }

    Task<IReadOnlyList<AlertDecision>> EvaluateAsync(CheckContext context, CancellationToken ct);
}
