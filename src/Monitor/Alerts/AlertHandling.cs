using Monitor.Alerts.Channels;
using Monitor.Core.Alerts;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Alerts;

/// <summary>
/// What people say about an alert (acknowledged, false, muted), from the CLI or the dashboard. Handling ends the alert
/// where it still fires: each Alertmanager channel it went to gets it again with endsAt = now, queued in the same
/// transaction as the new status, so the resolve is never lost and never sent twice.
/// </summary>
public sealed class AlertHandling(Database database, AlertChannels channels, ChannelComposer composer, TimeProvider clock)
{
    /// <summary>Acknowledged or false; false when there is no such alert.</summary>
    public async Task<bool> SetStatusAsync(long id, AlertStatus status, string? note, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var c = await database.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        if (!await AlertRepository.SetStatusAsync(c, tx, id, status, note, now, ct))
            return false;
        await ResolveAsync(c, tx, id, now, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>Planned activity: mutes the alert's scope until <paramref name="until"/>; null when there is no such alert.</summary>
    public async Task<AlertMute?> MuteAsync(long id, DateTimeOffset until, string reason, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var c = await database.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var mute = await AlertRepository.MuteAsync(c, tx, id, until, reason, now, ct);
        if (mute is null)
            return null;
        await ResolveAsync(c, tx, id, now, ct);
        await tx.CommitAsync(ct);
        return mute;
    }

    private async Task ResolveAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, long id, DateTimeOffset now, CancellationToken ct)
    {
        var firing = (await AlertRouteRepository.DeliveredToAsync(c, tx, id, ct))
            .Select(channels.Find).OfType<AlertChannel>().Where(ch => ch.Kind == AlertChannelKind.Alertmanager).ToList();
        if (firing.Count == 0)
            return;
        var alert = (await AlertRepository.GetManyAsync(c, tx, [id], ct)).Single();
        foreach (var channel in firing)
        {
            var key = $"{channel.Name}:resolve:{alert.DedupKey}";
            await OutboxRepository.EnqueueAsync(c, tx, null, key, composer.ComposeEnding(channel, alert, now, key), now, ct);
        }
    }
}
