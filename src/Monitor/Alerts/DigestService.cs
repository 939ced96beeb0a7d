using System.Globalization;
using Microsoft.Extensions.Options;
using Monitor.Alerts.Channels;
using Monitor.Core.Alerts;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Alerts;

/// <summary>
/// The daily or weekly digest of each channel that keeps one: once its digest time has passed, the alerts waiting for
/// it (low severity, or cooled down) are gathered and marked digested in the same transaction as the queued messages,
/// so each alert is in exactly one digest per channel. Email sends one mail per recipient list, Slack and Teams one
/// message; a webhook or an Alertmanager with a digest gets each alert as its own message, at the digest time.
/// </summary>
public sealed class DigestService(Database database, AlertChannels channels, ChannelComposer composer, AlertMailComposer mail, IOptions<MonitorOptions> options)
{
    /// <summary>Queues the digest messages due at <paramref name="now"/>; returns how many were queued.</summary>
    public async Task<int> QueueDueAsync(DateTimeOffset now, CancellationToken ct)
    {
        var withDigest = channels.All.Where(c => c.Digest != DigestSchedule.Off).ToList();
        if (withDigest.Count == 0)
            return 0;

        await using var c = await database.OpenAsync(ct);
        // Read and marked under one lock: two nodes gathering at once never split or repeat a digest.
        await using var tx = await Sql.BeginWriteAsync(c, ct);
        await AlertRepository.LockDigestAsync(c, tx, ct);
        var queued = 0;
        var digest = options.Value.Alerts.Digest;
        foreach (var channel in withDigest)
        {
            var slot = LastSlot(channel.Digest, digest, now);
            var ids = await AlertRouteRepository.DigestPendingAsync(c, tx, channel.Name, slot, ct);
            if (ids.Count == 0)
                continue;
            var pending = await AlertRepository.GetManyAsync(c, tx, ids, ct);
            var label = channel.Digest == DigestSchedule.Weekly
                ? string.Create(CultureInfo.InvariantCulture, $"week of {slot.AddDays(-7):yyyy-MM-dd}")
                : string.Create(CultureInfo.InvariantCulture, $"{slot.AddDays(-1):yyyy-MM-dd}");
            var key = string.Create(CultureInfo.InvariantCulture, $"digest:{slot.ToUnixTimeSeconds()}");
            queued += channel.Kind switch
            {
                AlertChannelKind.Email => await QueueMailAsync(c, tx, key, label, pending, now, ct),
                AlertChannelKind.Slack or AlertChannelKind.Teams => await OutboxRepository.EnqueueAsync(
                    c, tx, null, $"{channel.Name}:{key}", composer.ComposeDigest(channel, label, pending, $"{channel.Name}:{key}"), now, ct),
                _ => await QueueEachAsync(c, tx, channel, pending, now, ct),
            };
            await AlertRouteRepository.MarkDigestedAsync(c, tx, channel.Name, ids, now, ct);
        }

        await tx.CommitAsync(ct);
        return queued;
    }

    private async Task<int> QueueMailAsync(
        System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, string key, string label, IReadOnlyList<AlertRow> pending, DateTimeOffset now, CancellationToken ct)
    {
        var queued = 0;
        foreach (var group in pending.GroupBy(a => string.Join(',', a.Recipients), StringComparer.Ordinal))
        {
            var recipients = group.Key.Length == 0 ? options.Value.Alerts.Email.To : group.First().Recipients;
            var mailKey = $"{key}:{StableId.Of(group.Key, 12)}";
            var composed = await mail.ComposeDigestAsync(mailKey, label, [.. group], recipients, now);
            queued += await OutboxRepository.EnqueueAsync(c, tx, null, mailKey, OutboxMessage.Email(composed), now, ct);
        }

        return queued;
    }

    private async Task<int> QueueEachAsync(
        System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, AlertChannel channel, IReadOnlyList<AlertRow> pending, DateTimeOffset now, CancellationToken ct)
    {
        var queued = 0;
        foreach (var alert in pending)
        {
            // Handled while it waited: Alertmanager already had its resolve; firing it now would page for a closed alert.
            if (channel.Kind == AlertChannelKind.Alertmanager && alert.Status is not (AlertStatus.Open or AlertStatus.Sent))
                continue;
            var message = await composer.ComposeAsync(channel, alert, now);
            queued += await OutboxRepository.EnqueueAsync(c, tx, alert.Id, ChannelComposer.DedupKey(channel.Name, alert.DedupKey), message, now, ct);
        }

        return queued;
    }

    /// <summary>The latest digest time at or before <paramref name="now"/>, in the digest's time zone (DST-correct).</summary>
    public static DateTimeOffset LastSlot(DigestSchedule schedule, DigestOptions digest, DateTimeOffset now)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(digest.TimeZone);
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var day = local.Date;
        if (schedule == DigestSchedule.Weekly)
            day = day.AddDays(-(((int)day.DayOfWeek - (int)digest.DayOfWeek + 7) % 7));
        var slot = Core.Budgets.ZonedTime.ToUtc(day.AddHours(digest.Hour), zone);
        return slot <= now ? slot : Core.Budgets.ZonedTime.ToUtc(day.AddDays(schedule == DigestSchedule.Weekly ? -7 : -1).AddHours(digest.Hour), zone);
    }
}
