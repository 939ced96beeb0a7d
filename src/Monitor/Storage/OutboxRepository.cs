using System.Data.Common;
using Dapper;
using Monitor.Core.Alerts;

namespace Monitor.Storage;

/// <summary>
/// The outbox: every mail from the moment it is decided until the SMTP server accepted it. Rows are claimed with a
/// lease before sending, so two nodes (or an overlapping check and outbox job) never send the same row at once.
/// </summary>
public sealed class OutboxRepository(Database database)
{
    /// <summary>Queues a mail once per dedup key (inside the caller's transaction, with the alert it belongs to).</summary>
    public static Task<int> EnqueueAsync(DbConnection c, DbTransaction tx, long? alertId, string dedupKey, ComposedMail mail, DateTimeOffset now, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO outbox (alert_id, dedup_key, message_id, recipients, subject, mime, created_at, attempts, next_attempt_at)
            VALUES (@alertId, @dedupKey, @MessageId, @recipients, @Subject, @Mime, @now, 0, @now)
            ON CONFLICT (dedup_key) DO NOTHING
            """,
            new { alertId, dedupKey, mail.MessageId, recipients = string.Join(',', mail.Recipients), mail.Subject, mail.Mime, now = now.ToUnixTimeSeconds() },
            tx, cancellationToken: ct));

    /// <summary>Claims up to <paramref name="limit"/> due rows for <paramref name="lease"/>; oldest first.</summary>
    /// <remarks>
    /// One statement picks and leases the rows. On PostgreSQL the pick locks them and skips rows another node is claiming
    /// (<c>FOR UPDATE SKIP LOCKED</c>), and the outer WHERE is checked again on the locked row, so of two nodes claiming
    /// at once each row goes to one; on SQLite the statement holds the one write lock. The pick is MATERIALIZED: run
    /// once, as a join's inner side it could otherwise be run again per row and lease more than <paramref name="limit"/>.
    /// </remarks>
    public async Task<IReadOnlyList<OutboxItem>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        const string Due = "sent_at IS NULL AND next_attempt_at <= @at AND (lease_until IS NULL OR lease_until < @at)";
        var rows = await c.QueryAsync<(long Id, long? AlertId, string DedupKey, string Recipients, byte[] Mime, long Attempts, long CreatedAt)>(new CommandDefinition(
            $"""
            WITH due AS MATERIALIZED (SELECT id FROM outbox WHERE {Due} ORDER BY id LIMIT @limit{Sql.ClaimRows(database.Dialect)})
            UPDATE outbox SET lease_until = @until
            WHERE id IN (SELECT id FROM due) AND {Due}
            RETURNING id, alert_id, dedup_key, recipients, mime, attempts, created_at
            """,
            new { at = now.ToUnixTimeSeconds(), until = (now + lease).ToUnixTimeSeconds(), limit }, cancellationToken: ct));
        return
        [
            .. rows.OrderBy(r => r.Id).Select(r => new OutboxItem(
                r.Id, r.AlertId, r.DedupKey, r.Recipients.Split(',', StringSplitOptions.RemoveEmptyEntries), r.Mime, (int)r.Attempts,
                DateTimeOffset.FromUnixTimeSeconds(r.CreatedAt))),
        ];
    }

    /// <summary>The server accepted the mail: the row and its alert are sent.</summary>
    public async Task MarkSentAsync(OutboxItem item, DateTimeOffset now, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var at = now.ToUnixTimeSeconds();
        await c.ExecuteAsync(
            "UPDATE outbox SET sent_at = @at, lease_until = NULL, attempts = attempts + 1, last_error = NULL WHERE id = @Id",
            new { at, item.Id }, tx);
        if (item.AlertId is { } alertId)
            await c.ExecuteAsync("UPDATE alerts SET sent_at = @at WHERE id = @alertId AND sent_at IS NULL", new { at, alertId }, tx);
        await tx.CommitAsync(ct);
    }

    /// <summary>The attempt failed: try again at <paramref name="retryAt"/>; the error is kept for the dashboard.</summary>
    public async Task MarkFailedAsync(OutboxItem item, string error, DateTimeOffset retryAt, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        await c.ExecuteAsync(
            // A row another node has sent meanwhile (its lease ran out under a slow server) stays sent.
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = @retry, lease_until = NULL, last_error = @error WHERE id = @Id AND sent_at IS NULL",
            new { item.Id, retry = retryAt.ToUnixTimeSeconds(), error });
    }

    public async Task<int> PendingAsync(CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        return await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL");
    }
}
