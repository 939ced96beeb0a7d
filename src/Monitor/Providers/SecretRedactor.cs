using System.Text.RegularExpressions;

namespace Monitor.Providers;

/// <summary>
/// Removes anything key-like from text that reaches logs, errors or the database (provider error bodies
/// sometimes echo a masked or partial key).
/// </summary>
public static partial class SecretRedactor
{
    public static string Redact(string text, string? knownSecret = null)
    {
        if (!string.IsNullOrEmpty(knownSecret))
            text = text.Replace(knownSecret, "[redacted]", StringComparison.Ordinal);
        return KeyLike().Replace(text, "[redacted]");
    }

    // sk-..., sk-ant-..., sk-or-v1-..., Bearer tokens, and long opaque runs of key alphabet.
    [GeneratedRegex(@"(?i)\b(sk|pk|rk|bearer)[-_ ][A-Za-z0-9_\-\*\.]{6,}|[A-Za-z0-9_]{32,}")]
    private static partial Regex KeyLike();
}
