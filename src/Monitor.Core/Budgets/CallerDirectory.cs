using Monitor.Core.Deprecations;
using Monitor.Core.Keys;

namespace Monitor.Core.Budgets;

/// <summary>
/// What the providers' listings say about the callers the proxy sees (only a key's fingerprint and a model name): each
/// account's keys (key id, workspace, fingerprint or last four) and where each model alias resolves, so that an enforced
/// budget scoped to a key id, a workspace or a model can be matched to a proxied call.
/// </summary>
public sealed class CallerDirectory
{
    private readonly Dictionary<string, List<ApiKeyInfo>> _keys;
    private readonly Dictionary<(string Account, string Alias), string> _aliases;

    public CallerDirectory(IEnumerable<(string Account, ApiKeyInfo Key)> keys, IEnumerable<AliasObservation> aliases)
    {
        _keys = keys.GroupBy(k => k.Account, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(k => k.Key).ToList(), StringComparer.Ordinal);
        _aliases = aliases.GroupBy(a => (a.Account, a.Alias)).ToDictionary(g => g.Key, g => g.MaxBy(a => a.FirstSeenAt)!.Model);
        var hash = new HashCode();
        foreach (var (account, listed) in _keys.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            foreach (var k in listed.OrderBy(k => k.KeyId, StringComparer.Ordinal))
                hash.Add((account, k.KeyId, k.Workspace, k.Fingerprint, k.LastFour));
        }

        foreach (var (alias, model) in _aliases.OrderBy(a => a.Key.Account, StringComparer.Ordinal).ThenBy(a => a.Key.Alias, StringComparer.Ordinal))
            hash.Add((alias, model));
        Signature = hash.ToHashCode();
    }

    /// <summary>Equal for directories that say the same (within one process): a re-read one replaces it only when it differs.</summary>
    public int Signature { get; }

    public static CallerDirectory Empty { get; } = new([], []);

    /// <summary>The listed key of <paramref name="account"/> the fingerprint belongs to, or null (not listed, or no fingerprint or last four to tell).</summary>
    public ApiKeyInfo? KeyOf(string account, string fingerprint) =>
        _keys.TryGetValue(account, out var keys) ? keys.Find(k => KeyMatch.Matches(fingerprint, k)) : null;

    /// <summary>The listed keys with this key id (in one account, or in every account when <paramref name="account"/> is null).</summary>
    public IEnumerable<(string Account, ApiKeyInfo Key)> KeysWithId(string? account, string keyId) =>
        _keys.Where(a => account is null || a.Key == account).SelectMany(a => a.Value.Where(k => k.KeyId == keyId).Select(k => (a.Key, k)));

    /// <summary>The model an alias of <paramref name="account"/> resolves to, or the name itself.</summary>
    public string Resolve(string account, string model) => _aliases.GetValueOrDefault((account, model), model);
}
