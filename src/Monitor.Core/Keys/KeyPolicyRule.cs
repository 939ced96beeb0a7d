namespace Monitor.Core.Keys;

/// <summary>
/// A policy for some keys: all keys of a provider kind, of an account, or one key. The most specific matching rule
/// wins per field (key, then account, then provider, then the defaults); a zero duration turns the rule off.
/// </summary>
public sealed record KeyPolicyRule
{
    public string? Provider { get; init; }
    public string? Account { get; init; }
    public string? KeyId { get; init; }
    public TimeSpan? MaxAge { get; init; }
    public TimeSpan? UnusedAfter { get; init; }

    public static KeyPolicy Resolve(IEnumerable<KeyPolicyRule> rules, KeyPolicy defaults, KeyState key)
    {
        var provider = key.Provider?.ToString();
        var matching = rules
            .Where(r => (r.Provider is null || string.Equals(r.Provider, provider, StringComparison.OrdinalIgnoreCase))
                && (r.Account is null || string.Equals(r.Account, key.Account, StringComparison.OrdinalIgnoreCase))
                && (r.KeyId is null || r.KeyId == key.Key.KeyId))
            .OrderByDescending(r => (r.KeyId is null ? 0 : 4) + (r.Account is null ? 0 : 2) + (r.Provider is null ? 0 : 1))
            .ToList();
        var maxAge = matching.Select(r => r.MaxAge).FirstOrDefault(v => v is not null) ?? defaults.MaxAge;
        var unused = matching.Select(r => r.UnusedAfter).FirstOrDefault(v => v is not null) ?? defaults.UnusedAfter;
        return new KeyPolicy(maxAge > TimeSpan.Zero ? maxAge : null, unused > TimeSpan.Zero ? unused : null);
    }
}
