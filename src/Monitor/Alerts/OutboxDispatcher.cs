using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using Monitor.Alerts.Channels;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Alerts;

/// <summary>
/// Sends what the outbox holds and is due, every channel at once and each on its own, its backlog in batches: a channel
/// that is down (or slow) never delays another. A failed attempt is retried later with exponential backoff (the
/// channel's RetryBaseDelay doubling up to RetryMaxDelay, or its Retry-After), and all the channel's messages wait with
/// it, so a dead channel costs one timeout per backoff. A row is marked sent only once its channel accepted it, so an
/// outage of hours loses nothing, and a row accepted is never sent again, across restarts and nodes. A channel that
/// refuses a message for good (a 4xx other than 429) gets it marked failed, never retried.
/// </summary>
public sealed partial class OutboxDispatcher(
    OutboxRepository outbox, AlertChannels channels, HttpChannelSender http, IOptions<MonitorOptions> options, TimeProvider clock,
    ILogger<OutboxDispatcher> log)
{
    private const int MailBatch = 200;
    private const int HttpBatch = 50;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    // One round sends a channel's backlog in batches until nothing is due or this long has passed (the job runs again).
    private static readonly TimeSpan PassBudget = TimeSpan.FromMinutes(4);

    public Task<int> PendingAsync(CancellationToken ct) => outbox.PendingAsync(ct);

    public async Task<OutboxDelivery> SendDueAsync(CancellationToken ct)
    {
        var due = await outbox.ChannelsDueAsync(clock.GetUtcNow(), ct);
        var rounds = await Task.WhenAll(due.Select(name => Task.Run(() => SendChannelAsync(name, ct), ct)));
        return new OutboxDelivery(
            rounds.Sum(r => r.Sent), rounds.Sum(r => r.Failed), await outbox.PendingAsync(ct), rounds.Select(r => r.LastError).LastOrDefault(e => e is not null));
    }

    /// <summary>Sends one message now, outside the outbox (<c>monitor alerts test</c>): through the same transport or POST as a queued one.</summary>
    public async Task<ChannelOutcome> SendNowAsync(AlertChannel channel, OutboxMessage message, CancellationToken ct)
    {
        var item = new OutboxItem(0, null, channel.Name, message.MessageId, message.MessageId, message.Recipients, message.ContentType, message.Payload, 0, clock.GetUtcNow());
        if (channel.Kind != AlertChannelKind.Email)
            return await http.SendAsync(channel, item, ct);
        await using var transport = CreateTransport();
        try
        {
            await transport.SendAsync(item, ct);
            return ChannelOutcome.Sent;
        }
        catch (Exception e) when (IsDeliveryFailure(e))
        {
            return new ChannelOutcome(ChannelResult.Retry, $"{transport.Destination}: {e.Message}");
        }
    }

    private async Task<OutboxDelivery> SendChannelAsync(string name, CancellationToken ct)
    {
        var channel = channels.Find(name);
        if (channel is null)
        {
            // Queued for a channel since removed from the configuration: kept and reported, sent if it comes back.
            var held = await outbox.ClaimDueAsync(name, clock.GetUtcNow(), Lease, HttpBatch, ct);
            var error = $"channel '{name}' is not configured (Monitor:Alerts:Channels)";
            foreach (var item in held)
                await outbox.MarkFailedAsync(item, error, clock.GetUtcNow() + TimeSpan.FromHours(1), ct);
            return new OutboxDelivery(0, held.Count, 0, held.Count > 0 ? error : null);
        }

        return channel.Kind == AlertChannelKind.Email ? await SendMailAsync(ct) : await SendHttpAsync(channel, ct);
    }

    private async Task<OutboxDelivery> SendHttpAsync(AlertChannel channel, CancellationToken ct)
    {
        var sent = 0;
        var failed = 0;
        string? lastError = null;
        var started = clock.GetTimestamp();
        // A claimed batch must be sent within its lease even if every POST takes the whole timeout.
        var batch = (int)Math.Clamp(Lease * 0.8 / channel.Options.Timeout, 1, HttpBatch);
        while (clock.GetElapsedTime(started) < PassBudget
               && await outbox.ClaimDueAsync(channel.Name, clock.GetUtcNow(), Lease, batch, ct) is { Count: > 0 } due)
        {
            for (var i = 0; i < due.Count; i++)
            {
                var item = due[i];
                var outcome = await http.SendAsync(channel, item, ct);
                if (outcome.Result == ChannelResult.Sent)
                {
                    await outbox.MarkSentAsync(item, clock.GetUtcNow(), ct);
                    sent++;
                    continue;
                }

                lastError = outcome.Error;
                failed++;
                if (outcome.Result == ChannelResult.Refused)
                {
                    LogRefused(log, item.Id, channel.Name, lastError!);
                    await outbox.MarkRefusedAsync(item, lastError!, clock.GetUtcNow(), ct);
                    continue;
                }

                // Down, slow or rate-limited: this message and every other of the channel wait (its order holds), so
                // the next rounds do not spend a timeout on it again before the backoff ends.
                LogSendFailed(log, item.Id, lastError!);
                var backoff = Backoff(item.Attempts, channel.Options.RetryBaseDelay, channel.Options.RetryMaxDelay);
                var retryAt = clock.GetUtcNow() + (outcome.RetryAfter is { } wait && wait > backoff ? wait : backoff);
                await outbox.MarkFailedAsync(item, lastError!, retryAt, ct);
                await outbox.DeferChannelAsync(channel.Name, [.. due.Skip(i + 1).Select(r => r.Id)], clock.GetUtcNow(), retryAt, ct);
                return new OutboxDelivery(sent, failed, 0, lastError);
            }
        }

        return new OutboxDelivery(sent, failed, 0, lastError);
    }

    private async Task<OutboxDelivery> SendMailAsync(CancellationToken ct)
    {
        var sent = 0;
        var failed = 0;
        string? lastError = null;
        var due = await outbox.ClaimDueAsync(OutboxMessage.EmailChannel, clock.GetUtcNow(), Lease, MailBatch, ct);
        if (due.Count == 0)
            return new OutboxDelivery(0, 0, 0);

        var email = options.Value.Alerts.Email;
        var started = clock.GetTimestamp();
        await using var transport = CreateTransport();
        for (var i = 0; i < due.Count; i++)
        {
            var item = due[i];
            try
            {
                await transport.SendAsync(item, ct);
                await outbox.MarkSentAsync(item, clock.GetUtcNow(), ct);
                sent++;
            }
            catch (Exception e) when (IsDeliveryFailure(e))
            {
                lastError = $"{transport.Destination}: {e.Message}";
                LogSendFailed(log, item.Id, lastError);
                // A refused message waits alone; an unreachable server or a refused session holds back the whole round.
                var refusedMessage = e is SmtpCommandException
                {
                    ErrorCode: SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted or SmtpErrorCode.SenderNotAccepted,
                };
                foreach (var r in refusedMessage ? [item] : due.Skip(i))
                {
                    await outbox.MarkFailedAsync(r, lastError, clock.GetUtcNow() + Backoff(r.Attempts, email.RetryBaseDelay, email.RetryMaxDelay), ct);
                    failed++;
                }

                if (!refusedMessage)
                    return new OutboxDelivery(sent, failed, 0, lastError);
            }

            // The batch went: the next one through the same session, while the round has time.
            if (i == due.Count - 1 && clock.GetElapsedTime(started) < PassBudget)
            {
                due = await outbox.ClaimDueAsync(OutboxMessage.EmailChannel, clock.GetUtcNow(), Lease, MailBatch, ct);
                i = -1;
            }
        }

        return new OutboxDelivery(sent, failed, 0, lastError);
    }

    private IMailTransport CreateTransport()
    {
        var email = options.Value.Alerts.Email;
        return string.IsNullOrWhiteSpace(email.Smtp.Host)
            ? new PickupDirectoryTransport(email.PickupDirectory)
            : new SmtpMailTransport(email.Smtp, email.From);
    }

    private static TimeSpan Backoff(int attempts, TimeSpan first, TimeSpan max)
    {
        var delay = first * Math.Pow(2, Math.Min(attempts, 20));
        return delay < max ? delay : max;
    }

    private static bool IsDeliveryFailure(Exception e) =>
        e is IOException or SocketException or TimeoutException or System.Security.Authentication.AuthenticationException or SslHandshakeException
            or MailKit.Security.AuthenticationException or SmtpCommandException or SmtpProtocolException or ServiceNotConnectedException
            or ServiceNotAuthenticatedException or InvalidOperationException or UnauthorizedAccessException or FormatException;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox message {Id} not delivered, will retry: {Error}")]
    private static partial void LogSendFailed(ILogger logger, long id, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox message {Id} refused for good by channel {Channel}, not retried: {Error}")]
    private static partial void LogRefused(ILogger logger, long id, string channel, string error);
}
