using Monitor.Alerts.Channels;
using Monitor.Core.Alerts;
using Monitor.Storage;

namespace Monitor.Alerts;

/// <summary>
/// The one place alerts are de-duplicated and stored. New decisions are routed by Core (<see cref="AlertRouting"/>:
/// muted, or per channel immediate, digest or nothing), and each immediate message is composed and queued in the outbox
/// in the same transaction as its alert, so an alert is never stored without its messages, nor sent twice.
/// </summary>
public sealed partial class AlertRaiser(Database database, AlertChannels channels, ChannelComposer composer, TimeProvider clock, ILogger<AlertRaiser> log)
{
    /// <summary>Returns how many alerts were new.</summary>
    public async Task<int> RaiseAsync(IReadOnlyList<AlertDecision> decisions, DateTimeOffset asOf, CancellationToken ct)
    {
        if (decisions.Count == 0)
            return 0;

        // One transaction under the raising lock: which decisions are new, and which cooldowns hold, are read and written
        // by one node at a time, so two nodes evaluating the same budget at once store (and send) each alert once.
        await using var c = await database.OpenAsync(ct);
        await using var tx = await Sql.BeginWriteAsync(c, ct);
        await AlertRepository.LockRaisingAsync(c, tx, ct);
        var existing = await AlertRepository.ExistingAsync(c, tx, decisions.Select(d => d.DedupKey), ct);
        var fresh = decisions.Where(d => !existing.Contains(d.DedupKey)).DistinctBy(d => d.DedupKey).ToList();
        if (fresh.Count == 0)
            return 0;

        var mutes = await AlertRepository.MutesAsync(c, tx, fresh.Min(d => d.OccurredAt ?? asOf), asOf.AddSeconds(1), ct);
        var lastImmediate = await AlertRouteRepository.LastImmediateAsync(c, tx, fresh.Select(d => d.EffectiveCooldownKey), ct);
        var raised = 0;
        var now = clock.GetUtcNow(); // a replay's messages are due now, not at its as-of
        foreach (var route in AlertRouting.Route(fresh, asOf, mutes, channels.Routes, lastImmediate))
        {
            var d = route.Decision;
            var status = route.Muted ? AlertStatus.Muted : AlertStatus.Open;
            var id = await AlertRepository.InsertAsync(c, tx, d, asOf, status, route.Summary, ct);
            if (id is not { } alertId)
                continue; // stored meanwhile (the unique dedup key): its messages are queued with it
            raised++;
            await AlertRouteRepository.InsertAsync(c, tx, alertId, route, asOf, ct);
            var row = AlertRow.Of(d, alertId, asOf, status, route.Summary);
            foreach (var (name, _) in route.Channels.Where(r => r.Delivery == ChannelDelivery.Immediate))
            {
                var channel = channels.Find(name)!;
                var message = await composer.ComposeAsync(channel, row, now);
                await OutboxRepository.EnqueueAsync(c, tx, alertId, ChannelComposer.DedupKey(name, d.DedupKey), message, now, ct);
            }

            LogRaised(log, d.Kind, d.Severity, route.Summary, d.Title);
        }

        await tx.CommitAsync(ct);
        return raised;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Raised {Kind} ({Severity}, {Delivery}): {Title}")]
    private static partial void LogRaised(ILogger logger, AlertKind kind, AlertSeverity severity, string delivery, string title);
}
