using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Alerts;

/// <summary>
/// Sends what the outbox holds and is due. A failed attempt is retried later with exponential backoff (RetryBaseDelay
/// doubling up to RetryMaxDelay); a row is marked sent only once the server accepted it, so an SMTP outage of hours
/// loses nothing, and a row accepted is never sent again, across restarts too.
/// </summary>
public sealed partial class OutboxDispatcher(
    OutboxRepository outbox, IOptions<MonitorOptions> options, TimeProvider clock, ILogger<OutboxDispatcher> log)
{
    private const int Batch = 200;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    public Task<int> PendingAsync(CancellationToken ct) => outbox.PendingAsync(ct);

    public async Task<OutboxDelivery> SendDueAsync(CancellationToken ct)
    {
        var sent = 0;
        var failed = 0;
        string? lastError = null;
        var due = await outbox.ClaimDueAsync(clock.GetUtcNow(), Lease, Batch, ct);
        if (due.Count > 0)
        {
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
                        await outbox.MarkFailedAsync(r, lastError, clock.GetUtcNow() + Backoff(r.Attempts), ct);
                        failed++;
                    }

                    if (!refusedMessage)
                        break;
                }
            }
        }

        return new OutboxDelivery(sent, failed, await outbox.PendingAsync(ct), lastError);
    }

    private IMailTransport CreateTransport()
    {
        var email = options.Value.Alerts.Email;
        return string.IsNullOrWhiteSpace(email.Smtp.Host)
            ? new PickupDirectoryTransport(email.PickupDirectory)
            : new SmtpMailTransport(email.Smtp, email.From);
    }

    private TimeSpan Backoff(int attempts)
    {
        var email = options.Value.Alerts.Email;
        var delay = email.RetryBaseDelay * Math.Pow(2, Math.Min(attempts, 20));
        return delay < email.RetryMaxDelay ? delay : email.RetryMaxDelay;
    }

    private static bool IsDeliveryFailure(Exception e) =>
        e is IOException or SocketException or TimeoutException or System.Security.Authentication.AuthenticationException or SslHandshakeException
            or MailKit.Security.AuthenticationException or SmtpCommandException or SmtpProtocolException or ServiceNotConnectedException
            or ServiceNotAuthenticatedException or InvalidOperationException or UnauthorizedAccessException or FormatException;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox mail {Id} not delivered, will retry: {Error}")]
    private static partial void LogSendFailed(ILogger logger, long id, string error);
}
