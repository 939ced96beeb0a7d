using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Monitor.Core.Keys;

/// <summary>
/// What the monitor stores and shows instead of a key: the first 12 hex digits of the key's SHA-256 and its
/// last 4 characters, e.g. <c>3f9a1c0be27d...x9Qa</c>. SHA-256 hex is also how OpenRouter and LiteLLM name keys,
/// so a fingerprint can be matched against their listings. The key itself is never kept.
/// </summary>
public static partial class KeyFingerprint
{
    private const int HashPrefixLength = 12;

    public static string Of(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        return FromHash(hash, key.Length >= 4 ? key[^4..] : key);
    }

    /// <summary>A fingerprint from a provider's SHA-256 hex of the key and the last 4 characters it shows.</summary>
    public static string FromHash(string sha256Hex, string lastFour) =>
        $"{sha256Hex[..HashPrefixLength].ToLowerInvariant()}...{lastFour}";

    /// <summary>True for text of the fingerprint shape; anything else (a pasted key, say) must not be stored.</summary>
    public static bool IsFingerprint(string? text) => text is not null && Shape().IsMatch(text);

    [GeneratedRegex(@"^[0-9a-f]{12}\.\.\.[^\s]{1,4}$")]
    private static partial Regex Shape();
}
