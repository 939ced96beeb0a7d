namespace Monitor.Alerts;

/// <summary>One outbox round: mails accepted by the server, attempts that failed (to be retried), mails still waiting.</summary>
public sealed record OutboxDelivery(int Sent, int Failed, int Pending, string? LastError = null);
