namespace Monitor.Core.Keys;

/// <summary>
/// One key as a provider's key listing describes it. Never the key: its id, and where the provider gives them,
/// a fingerprint (from the provider's hash) and the last four characters of its masked form.
/// </summary>
public sealed record ApiKeyInfo
{
    public required string KeyId { get; init; }
    public string? Name { get; init; }

    /// <summary>api, admin, project or service_account.</summary>
    public string Kind { get; init; } = "api";

    public string Workspace { get; init; } = "";
    public string? Fingerprint { get; init; }
    public string? LastFour { get; init; }
    public string? Owner { get; init; }

    /// <summary>active, disabled, archived, expired or deleted.</summary>
    public string Status { get; init; } = "active";

    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>The last four characters of a masked key such as <c>sk-abc...Ug6Y</c>, or null.</summary>
    public static string? LastFourOf(string? masked) =>
        string.IsNullOrEmpty(masked) || masked.Length < 4 ? null : masked[^4..];
}
