using Monitor.Core.Alerts;

namespace Monitor.Storage;

/// <summary>
/// One message for one channel, ready for the outbox: the payload (MIME for email, JSON for the others) is final, so
/// every retry sends the same bytes. <see cref="MessageId"/> stays the same across retries (Message-Id, webhook-id).
/// </summary>
public sealed record OutboxMessage(string Channel, string MessageId, IReadOnlyList<string> Recipients, string Subject, string ContentType, byte[] Payload)
{
    public const string EmailChannel = "email";
    public const string MimeType = "message/rfc822";

    public static OutboxMessage Email(ComposedMail mail) => new(EmailChannel, mail.MessageId, mail.Recipients, mail.Subject, MimeType, mail.Mime);
}
