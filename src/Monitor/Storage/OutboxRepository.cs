using System.Data.Common;
using Dapper;

namespace Monitor.Storage;

/// <summary>
/// The outbox: every message from the moment it is decided until its channel accepted it (or refused it for good).
/// Rows are claimed per channel with a lease before sending, so two nodes (or an overlapping check and outbox job)
/// never send the same row at once, and a channel with a backlog never holds back the others' rows.
/// </summary>
public sealed class OutboxRepository(Database database)
{
    private const string Waiting = "sent_at IS NULL AND failed_at IS NULL";
    private const string Due = Waiting + " AND next_attempt_at <= @at AND (lease_until IS NULL OR lease_until < @at)";

    /// <summary>Queues a message once per dedup key (inside the caller's transaction, with the alert it belongs to).</summary>
    public static Task<int> EnqueueAsync(DbConnection c, DbTransaction tx, long? alertId, string dedupKey, OutboxMessage message, DateTimeOffset now, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO outbox (alert_id, channel, dedup_key, message_id, recipients, subject, content_type, payload, created_at, attempts, next_attempt_at)
            VALUES (@alertId, @Channel, @dedupKey, @MessageId, @recipients, @Subject, @ContentType, @Payload, @now, 0, @now)
            ON CONFLICT (dedup_key) DO NOTHING
            """,
            new
            {
                alertId, message.Channel, dedupKey, message.MessageId, recipients = string.Join(',', message.Recipients), message.Subject,
                message.ContentType, message.Payload, now = now.ToUnixTimeSeconds(),
            },
            tx, cancellationToken: ct));

    /// <summary>The channels with rows due at <paramref name="now"/> (configured or not: a removed channel's rows are reported, not lost).</summary>
    public async Task<IReadOnlyList<string>> ChannelsDueAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        return [.. await c.QueryAsync<string>(new CommandDefinition(
            $"SELECT DISTINCT channel FROM outbox WHERE {Due} ORDER BY channel", new { at = now.ToUnixTimeSeconds() }, cancellationToken: ct))];
    }

    /// <summary>Claims up to <paramref name="limit"/> due rows of one channel for <paramref name="lease"/>; oldest first.</summary>
    /// <remarks>
    /// One statement picks and leases the rows. On PostgreSQL the pick locks them and skips rows another node is claiming
    /// (<c>FOR UPDATE SKIP LOCKED</c>), and the outer WHERE is checked again on the locked row, so of two nodes claiming
    /// at once each row goes to one; on SQLite the statement holds the one write lock. The pick is MATERIALIZED: run
    /// once, as a join's inner side it could otherwise be run again per row and lease more than <paramref name="limit"/>.
    /// </remarks>
    public async Task<IReadOnlyList<OutboxItem>> ClaimDueAsync(string channel, DateTimeOffset now, TimeSpan lease, int limit, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var rows = await c.QueryAsync<Claimed>(new CommandDefinition(
            $"""
            WITH due AS MATERIALIZED (SELECT id FROM outbox WHERE channel = @channel AND {Due} ORDER BY id LIMIT @limit{Sql.ClaimRows(database.Dialect)})
            UPDATE outbox SET lease_until = @until
            WHERE id IN (SELECT id FROM due) AND {Due}
            RETURNING id AS Id, alert_id AS AlertId, channel AS Channel, dedup_key AS DedupKey, message_id AS MessageId, recipients AS Recipients,
                      content_type AS ContentType, payload AS Payload, attempts AS Attempts, created_at AS CreatedAt
            """,
            new { channel, at = now.ToUnixTimeSeconds(), until = (now + lease).ToUnixTimeSeconds(), limit }, cancellationToken: ct));
        return
        [
            .. rows.OrderBy(r => r.Id).Select(r => new OutboxItem(
                r.Id, r.AlertId, r.Channel, r.DedupKey, r.MessageId, r.Recipients.Split(',', StringSplitOptions.RemoveEmptyEntries), r.ContentType,
                r.Payload, (int)r.Attempts, DateTimeOffset.FromUnixTimeSeconds(r.CreatedAt))),
        ];
    }

    /// <summary>The channel accepted the message: the row, and its alert when this was its first message, are sent.</summary>
    public async Task MarkSentAsync(OutboxItem item, DateTimeOffset now, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var at = now.ToUnixTimeSeconds();
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE outbox SET sent_at = @at, lease_until = NULL, attempts = attempts + 1, last_error = NULL WHERE id = @Id",
            new { at, item.Id }, tx, cancellationToken: ct));
        if (item.AlertId is { } alertId)
            await c.ExecuteAsync(new CommandDefinition("UPDATE alerts SET sent_at = @at WHERE id = @alertId AND sent_at IS NULL", new { at, alertId }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    /// <summary>The attempt failed: try again at <paramref name="retryAt"/>; the error is kept for the dashboard.</summary>
    public async Task MarkFailedAsync(OutboxItem item, string error, DateTimeOffset retryAt, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            // A row another node has sent meanwhile (its lease ran out under a slow server) stays sent.
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = @retry, lease_until = NULL, last_error = @error WHERE id = @Id AND sent_at IS NULL",
            new { item.Id, retry = retryAt.ToUnixTimeSeconds(), error }, cancellationToken: ct));
    }

    /// <summary>
    /// The channel is down, slow or rate-limited: every row of it still waiting and due before <paramref name="retryAt"/>
    /// waits until then, so a dead channel costs one timeout per backoff, not one per outbox round. The rows this round
    /// claimed and did not try (<paramref name="claimed"/>) are released; rows another node holds are left to it.
    /// </summary>
    public async Task DeferChannelAsync(string channel, IReadOnlyList<long> claimed, DateTimeOffset now, DateTimeOffset retryAt, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE outbox SET next_attempt_at = @retry, lease_until = NULL
            WHERE channel = @channel AND {Waiting} AND next_attempt_at < @retry
              AND (lease_until IS NULL OR lease_until < @at OR {Sql.In(database.Dialect, "id", "@claimed")})
            """,
            new { channel, retry = retryAt.ToUnixTimeSeconds(), at = now.ToUnixTimeSeconds(), claimed = claimed.ToArray() }, cancellationToken: ct));
    }

    /// <summary>The channel refused the message for good (a 4xx other than 429): failed, never retried; shown on the dashboard.</summary>
    public async Task MarkRefusedAsync(OutboxItem item, string error, DateTimeOffset now, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE outbox SET attempts = attempts + 1, failed_at = @at, lease_until = NULL, last_error = @error WHERE id = @Id AND sent_at IS NULL",
            new { item.Id, at = now.ToUnixTimeSeconds(), error }, cancellationToken: ct));
    }

    public async Task<int> PendingAsync(CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        return await c.ExecuteScalarAsync<int>(new CommandDefinition($"SELECT COUNT(*) FROM outbox WHERE {Waiting}", cancellationToken: ct));
    }

    /// <summary>Per channel: messages waiting, refused for good and delivered, when the last went out, the next retry and the latest error.</summary>
    public async Task<IReadOnlyList<ChannelOutboxStatus>> StatusAsync(CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var rows = await c.QueryAsync<(string Channel, long Pending, long Failed, long Sent, long? LastSent, long? Next)>(new CommandDefinition(
            $"""
            SELECT channel, {Sql.Total($"CASE WHEN {Waiting} THEN 1 ELSE 0 END")}, {Sql.Total("CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END")},
                   {Sql.Total("CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END")}, MAX(sent_at), MIN(CASE WHEN {Waiting} THEN next_attempt_at END)
            FROM outbox GROUP BY channel ORDER BY channel
            """, cancellationToken: ct));
        var errors = (await c.QueryAsync<(string Channel, string Error)>(new CommandDefinition(
            // The newest error among rows not delivered: what is wrong now, not what a later success fixed. One pass to
            // find each channel's newest such row, then those rows by key (a correlated subquery per row grew quadratic).
            """
            SELECT o.channel, o.last_error FROM outbox o
            JOIN (SELECT MAX(id) AS id FROM outbox WHERE sent_at IS NULL AND last_error IS NOT NULL GROUP BY channel) newest ON o.id = newest.id
            """, cancellationToken: ct))).ToDictionary(e => e.Channel, e => e.Error, StringComparer.Ordinal);
        return
        [
            .. rows.Select(r => new ChannelOutboxStatus(
                r.Channel, r.Pending, r.Failed, r.Sent, Time(r.LastSent), Time(r.Next), errors.GetValueOrDefault(r.Channel))),
        ];
    }

    private static DateTimeOffset? Time(long? seconds) => seconds is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null;

    // Dapper's target for a claimed row.
    private sealed record Claimed(
        long Id, long? AlertId, string Channel, string DedupKey, string MessageId, string Recipients, string ContentType, byte[] Payload, long Attempts, long CreatedAt);
}
