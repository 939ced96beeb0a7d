using Monitor.Core.Usage;

namespace Monitor.Core.Keys;

/// <summary>
/// A key as the monitor knows it: the provider's listing (or a declaration in the configuration), when the monitor
/// first saw it, since when it has its current status, and when it was last used (the listing's last-used date or the
/// ledger's latest bucket for the key, whichever is later).
/// </summary>
public sealed record KeyState
{
    public required string Account { get; init; }
    public ProviderKind? Provider { get; init; }
    public required ApiKeyInfo Key { get; init; }

    /// <summary>api, config or demo.</summary>
    public string Source { get; init; } = "api";

    public required DateTimeOffset FirstSeenAt { get; init; }
    public DateTimeOffset? StatusSince { get; init; }
    public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>True when the monitor can tell whether the key is used (a last-used field, or per-key usage in the ledger).</summary>
    public bool UsageKnown { get; init; }

    public bool Active => Key.Status == "active";

    public bool Revoked => Key.Status is "deleted" or "disabled" or "archived";

    /// <summary>What alerts show instead of the key: its fingerprint, else the last four characters of its masked form.</summary>
    public string FingerprintText => Key.Fingerprint ?? (Key.LastFour is { } four ? $"...{four}" : "(none: the provider shows no part of the key)");

    public string Label => Key.Name is { Length: > 0 } name ? $"{name} ({Key.KeyId})" : Key.KeyId;
}
