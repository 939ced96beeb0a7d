using Monitor.Core.Alerts;
using Monitor.Alerts;
using Monitor.Storage;

namespace Monitor.Checks;

/// <summary>
/// One check: every evaluator decides at <c>asOf</c>, new decisions are stored (and queued for mail in the same
/// transaction), a due digest is queued, and, when asked (<c>monitor check</c>), the outbox sends what is due; the
/// scheduled check only queues and leaves sending to the outbox job. An evaluator that fails is reported and the
/// others still run; a check run twice in a row raises and sends nothing new.
/// </summary>
public sealed partial class CheckService(
    IEnumerable<IAlertEvaluator> evaluators, AlertRaiser raiser, DigestService digest, OutboxDispatcher outbox,
    CheckRunRepository runs, TimeProvider clock, ILogger<CheckService> log)
{
    /// <param name="asOf">"Now" for the evaluators; null: the clock. Raised alerts are stamped with it.</param>
    /// <param name="send">False: queue mail but leave sending to the outbox job (the scheduled check) or a later check.</param>
    public async Task<CheckResult> RunAsync(DateTimeOffset? asOf, bool send, CancellationToken ct)
    {
        var at = asOf ?? clock.GetUtcNow();
        var previous = await runs.LastAsOfAsync(ct);
        var runId = await runs.StartAsync(at, clock.GetUtcNow(), ct);
        var context = new CheckContext(at, previous);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var durations = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        var failures = new List<string>();
        var decisions = new List<AlertDecision>();
        foreach (var evaluator in evaluators)
        {
            var started = clock.GetTimestamp();
            try
            {
                var found = await evaluator.EvaluateAsync(context, ct);
                counts[evaluator.Name] = found.Count;
                decisions.AddRange(found);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogEvaluatorFailed(log, evaluator.Name, e);
                failures.Add($"{evaluator.Name}: {e.Message}");
            }

            durations[evaluator.Name] = clock.GetElapsedTime(started);
        }

        var raised = await raiser.RaiseAsync(decisions, at, ct);
        await digest.QueueDueAsync(clock.GetUtcNow(), ct);
        var delivery = send ? await outbox.SendDueAsync(ct) : new OutboxDelivery(0, 0, await outbox.PendingAsync(ct));
        await runs.FinishAsync(runId, clock.GetUtcNow(), raised, failures.Count == 0 ? null : string.Join("; ", failures), ct);
        return new CheckResult(at, counts, durations, raised, delivery.Sent, delivery.Pending, failures, delivery.LastError);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Check evaluator {Evaluator} failed")]
    private static partial void LogEvaluatorFailed(ILogger logger, string evaluator, Exception error);
}
