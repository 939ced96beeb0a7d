namespace Monitor.Core.Keys;

/// <summary>
/// Matches a key the metering proxy saw (only its fingerprint: hash prefix and last four) with a key of a provider's
/// listing: by fingerprint where the listing gives one (OpenRouter, LiteLLM), else by the last four characters of
/// its masked form (Mistral, OpenAI, Anthropic). Last fours can collide within an account; a fingerprint cannot.
/// </summary>
public static class KeyMatch
{
    /// <summary>True when <paramref name="fingerprint"/> is the fingerprint of <paramref name="key"/> as far as the listing tells.</summary>
    public static bool Matches(string fingerprint, ApiKeyInfo key) =>
        key.Fingerprint is { Length: > 0 } listed
            ? string.Equals(listed, fingerprint, StringComparison.Ordinal)
            : key.LastFour is { Length: > 0 } lastFour && string.Equals(LastFourOf(fingerprint), lastFour, StringComparison.Ordinal);

    /// <summary>The part of a fingerprint after <c>...</c> (the key's last four characters).</summary>
    public static string LastFourOf(string fingerprint)
    {
        var dots = fingerprint.LastIndexOf("...", StringComparison.Ordinal);
        return dots < 0 ? fingerprint : fingerprint[(dots + 3)..];
    }

    /// <summary>True when the listing can tell whether the proxy saw the key (it gives a fingerprint or a last four).</summary>
    public static bool CanMatch(ApiKeyInfo key) => !string.IsNullOrEmpty(key.Fingerprint) || !string.IsNullOrEmpty(key.LastFour);
}
