namespace Monitor.Dashboard;

/// <summary>A key due for rotation (age, expiry, disuse): its fingerprint only, never the key.</summary>
public sealed record KeyDue(
    string Account, string KeyId, string? Name, string Fingerprint, string? Owner,
    DateTimeOffset? CreatedAt, DateTimeOffset DueAt, int DaysLeft, string Reason);
