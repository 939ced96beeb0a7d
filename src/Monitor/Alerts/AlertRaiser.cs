using Microsoft.Extensions.Options;
using Monitor.Core.Alerts;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Alerts;

/// <summary>
/// Stores new decisions and decides how each reaches people: muted (a planned-activity mute covers it), digest (low
/// severity, or within the cooldown of a mail on the same scope), or immediate. An immediate alert's mail is composed
/// here and queued in the outbox in the same transaction as the alert, so an alert is never stored without its mail.
/// </summary>
public sealed partial class AlertRaiser(
    Database database, AlertMailComposer composer, IOptions<MonitorOptions> options, TimeProvider clock,
    ILogger<AlertRaiser> log)
{
    /// <summary>Returns how many alerts were new.</summary>
    public async Task<int> RaiseAsync(IReadOnlyList<AlertDecision> decisions, DateTimeOffset asOf, CancellationToken ct)
    {
        if (decisions.Count == 0)
            return 0;

        // One transaction under the raising lock: which decisions are new, and which cooldowns hold, are read and written
        // by one node at a time, so two nodes evaluating the same budget at once store (and mail) each alert once.
        var settings = options.Value.Alerts;
        await using var c = await database.OpenAsync(ct);
        await using var tx = await Sql.BeginWriteAsync(c, ct);
        await AlertRepository.LockRaisingAsync(c, tx, ct);
        var existing = await AlertRepository.ExistingAsync(c, tx, decisions.Select(d => d.DedupKey), ct);
        var fresh = decisions.Where(d => !existing.Contains(d.DedupKey)).DistinctBy(d => d.DedupKey).ToList();
        if (fresh.Count == 0)
            return 0;

        var mutes = await AlertRepository.MutesAsync(c, tx, fresh.Min(d => d.OccurredAt ?? asOf), asOf.AddSeconds(1), ct);
        var mailedNow = new Dictionary<string, AlertSeverity>(StringComparer.Ordinal);
        var planned = new List<(AlertDecision Decision, string Status, string Delivery, ComposedMail? Mail)>();
        foreach (var d in fresh)
        {
            var delivery = await DeliveryOfAsync(c, tx, d, asOf, mutes, mailedNow, settings, ct);
            var mail = delivery == Delivery.Immediate ? await composer.ComposeAsync(d, asOf) : null;
            planned.Add((d, delivery == Delivery.Muted ? "muted" : "open", delivery, mail));
        }

        var raised = 0;
        foreach (var (d, status, delivery, mail) in planned)
        {
            var id = await AlertRepository.InsertAsync(c, tx, d, asOf, status, delivery, ct);
            if (id is null)
                continue; // stored meanwhile (the unique dedup key): its mail is queued with it
            raised++;
            if (mail is not null)
                await OutboxRepository.EnqueueAsync(c, tx, id, $"alert:{d.DedupKey}", mail, clock.GetUtcNow(), ct); // a replay's mail is due now
            LogRaised(log, d.Kind, d.Severity, delivery, d.Title);
        }

        await tx.CommitAsync(ct);
        return raised;
    }

    private static async Task<string> DeliveryOfAsync(
        System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, AlertDecision d, DateTimeOffset asOf, IReadOnlyList<AlertMute> mutes,
        Dictionary<string, AlertSeverity> mailedNow, AlertsOptions settings, CancellationToken ct)
    {
        if (mutes.Any(m => m.Covers(d, d.OccurredAt ?? asOf) || m.Covers(d, asOf)))
            return Delivery.Muted;
        var digestOn = settings.Digest.Schedule != DigestSchedule.Off;
        if (d.Severity < settings.ImmediateSeverity && digestOn)
            return Delivery.Digest;

        // Cooldown: a mail on this scope recently, at least as severe, makes this one a digest line (escalations still mail).
        var key = d.EffectiveCooldownKey;
        AlertSeverity? recent = mailedNow.TryGetValue(key, out var s) ? s : null;
        if (recent is null && settings.Cooldown > TimeSpan.Zero
            && await AlertRepository.LastImmediateAsync(c, tx, key, ct) is { } last && asOf - last.At < settings.Cooldown)
            recent = last.Severity;
        if (recent is { } r && r >= d.Severity)
            return digestOn ? Delivery.Digest : Delivery.None;
        mailedNow[key] = d.Severity;
        return Delivery.Immediate;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Raised {Kind} ({Severity}, {Delivery}): {Title}")]
    private static partial void LogRaised(ILogger logger, AlertKind kind, AlertSeverity severity, string delivery, string title);
}
