using Monitor.Storage;

namespace Monitor.Alerts;

/// <summary>Hands one composed mail to its destination (an SMTP server, or the pickup directory). Throws when not accepted.</summary>
public interface IMailTransport : IAsyncDisposable
{
    /// <summary>Where mail goes, for messages ("SMTP mail.example.com:587", "pickup directory data/outbox").</summary>
    string Destination { get; }

    Task SendAsync(OutboxItem item, CancellationToken ct);
}
