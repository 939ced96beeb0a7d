using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Monitor.Core.Alerts;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Alerts;

/// <summary>
/// The daily or weekly digest: once the digest time has passed, the alerts waiting for it (low severity, or cooled
/// down) are gathered into one mail per recipient list and marked digested in the same transaction as the queued
/// mail, so each alert is in exactly one digest.
/// </summary>
public sealed class DigestService(Database database, AlertMailComposer composer, IOptions<MonitorOptions> options)
{
    /// <summary>Queues the digest mails due at <paramref name="now"/>; returns how many were queued.</summary>
    public async Task<int> QueueDueAsync(DateTimeOffset now, CancellationToken ct)
    {
        var settings = options.Value.Alerts;
        if (settings.Digest.Schedule == DigestSchedule.Off)
            return 0;
        var slot = LastSlot(settings.Digest, now);
        await using var c = await database.OpenAsync(ct);
        // Read and marked under one lock: two nodes gathering at once never split or repeat a digest.
        await using var tx = await Sql.BeginWriteAsync(c, ct);
        await AlertRepository.LockDigestAsync(c, tx, ct);
        var pending = await AlertRepository.DigestPendingAsync(c, tx, slot, ct);
        if (pending.Count == 0)
            return 0;

        var label = settings.Digest.Schedule == DigestSchedule.Weekly
            ? string.Create(CultureInfo.InvariantCulture, $"week of {slot.AddDays(-7):yyyy-MM-dd}")
            : string.Create(CultureInfo.InvariantCulture, $"{slot.AddDays(-1):yyyy-MM-dd}");
        var queued = 0;
        foreach (var group in pending.GroupBy(a => string.Join(',', a.Recipients), StringComparer.Ordinal))
        {
            var recipients = group.Key.Length == 0 ? settings.Email.To : group.First().Recipients;
            var key = string.Create(CultureInfo.InvariantCulture, $"digest:{slot.ToUnixTimeSeconds()}:{Hash(group.Key)}");
            var mail = await composer.ComposeDigestAsync(key, label, [.. group], recipients, now);
            queued += await OutboxRepository.EnqueueAsync(c, tx, null, key, mail, now, ct);
            await AlertRepository.MarkDigestedAsync(c, tx, [.. group.Select(a => a.Id)], now, ct);
        }

        await tx.CommitAsync(ct);
        return queued;
    }

    /// <summary>The latest digest time at or before <paramref name="now"/>, in the digest's time zone (DST-correct).</summary>
    public static DateTimeOffset LastSlot(DigestOptions digest, DateTimeOffset now)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(digest.TimeZone);
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var day = local.Date;
        if (digest.Schedule == DigestSchedule.Weekly)
            day = day.AddDays(-(((int)day.DayOfWeek - (int)digest.DayOfWeek + 7) % 7));
        var slot = Core.Budgets.ZonedTime.ToUtc(day.AddHours(digest.Hour), zone);
        return slot <= now ? slot : Core.Budgets.ZonedTime.ToUtc(day.AddDays(digest.Schedule == DigestSchedule.Weekly ? -7 : -1).AddHours(digest.Hour), zone);
    }

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..12];
}
