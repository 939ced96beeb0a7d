namespace Monitor.Core.Alerts;

/// <summary>A mail ready for the outbox: the MIME bytes are final, so every retry sends the same message.</summary>
public sealed record ComposedMail(string MessageId, IReadOnlyList<string> Recipients, string Subject, byte[] Mime);
