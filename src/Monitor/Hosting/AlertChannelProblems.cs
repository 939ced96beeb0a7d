using System.Text.RegularExpressions;
using Monitor.Core;
using Monitor.Core.Alerts;

namespace Monitor.Hosting;

/// <summary>
/// What is wrong with Monitor:Alerts:Channels, one line per problem naming the key. The URL and secret variables must
/// be set at start: a channel that cannot send is a configuration error, not a pile of retries. Values read from the
/// environment are secrets and never appear in a message.
/// </summary>
public static partial class AlertChannelProblems
{
    public static IEnumerable<string> Of(IReadOnlyList<AlertChannelOptions> channels, string root, Func<string, string?> environment)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "email" };
        for (var i = 0; i < channels.Count; i++)
        {
            var c = channels[i];
            var at = $"{root}:{i}";
            if (!ChannelName().IsMatch(c.Name))
                yield return $"{at}:Name: '{c.Name}' must be 1-40 letters, digits, '-' or '_'";
            else if (!names.Add(c.Name))
                yield return $"{at}:Name: '{c.Name}' is used by another channel (email is the built-in mail channel)";

            if (!Enum.TryParse<AlertChannelKind>(c.Kind, ignoreCase: true, out var kind) || int.TryParse(c.Kind, out _))
            {
                yield return $"{at}:Kind: '{c.Kind}' is not a channel kind (expected one of {string.Join(", ", Enum.GetNames<AlertChannelKind>().Skip(1))})";
                continue;
            }

            if (kind == AlertChannelKind.Email)
            {
                yield return $"{at}:Kind: Email is the built-in channel 'email', set up in Alerts:Email";
                continue;
            }

            foreach (var problem in UrlProblems(c, kind, at, environment))
                yield return problem;
            if (kind == AlertChannelKind.Webhook)
            {
                if (!MonitorOptionsValidator.EnvName().IsMatch(c.SecretEnv))
                    yield return $"{at}:SecretEnv: is required for a Webhook (the environment variable holding the Standard Webhooks secret, whsec_...)";
                else if (!IsSecret(environment(c.SecretEnv)))
                    yield return $"{at}:SecretEnv: the environment variable {c.SecretEnv} is not set to a signing secret (whsec_ followed by base64 of 24-64 bytes)";
            }
            else if (!string.IsNullOrEmpty(c.SecretEnv))
                yield return $"{at}:SecretEnv: only a Webhook signs its messages";

            for (var k = 0; k < c.Kinds.Count; k++)
            {
                if (!SnakeCase.TryParse<AlertKind>(c.Kinds[k], out _))
                    yield return $"{at}:Kinds:{k}: '{c.Kinds[k]}' is not an alert kind (expected one of {string.Join(", ", Enum.GetValues<AlertKind>().Select(v => SnakeCase.Of(v)))})";
            }

            if (c.Cooldown < TimeSpan.Zero)
                yield return $"{at}:Cooldown: must not be negative";
            if (c.Timeout <= TimeSpan.Zero || c.Timeout > TimeSpan.FromMinutes(2))
                yield return $"{at}:Timeout: '{c.Timeout}' must be between 00:00:00.001 and 00:02:00";
            if (c.RetryBaseDelay <= TimeSpan.Zero || c.RetryBaseDelay > c.RetryMaxDelay)
                yield return $"{at}:RetryBaseDelay: must be positive and not above RetryMaxDelay";
            if (kind == AlertChannelKind.Alertmanager && c.ExpiresAfter < TimeSpan.FromMinutes(5))
                yield return $"{at}:ExpiresAfter: '{c.ExpiresAfter}' must be at least 00:05:00";
        }
    }

    private static IEnumerable<string> UrlProblems(AlertChannelOptions c, AlertChannelKind kind, string at, Func<string, string?> environment)
    {
        if (!string.IsNullOrEmpty(c.Url))
        {
            if (kind != AlertChannelKind.Alertmanager)
                yield return $"{at}:Url: only an Alertmanager's URL may be in the file; a {kind} URL carries its secret: name an environment variable in UrlEnv";
            else if (!string.IsNullOrEmpty(c.UrlEnv))
                yield return $"{at}:UrlEnv: set Url or UrlEnv, not both";
            else if (!IsHttpUrl(c.Url))
                yield return $"{at}:Url: '{c.Url}' is not an absolute http(s) URL";
            yield break;
        }

        if (!MonitorOptionsValidator.EnvName().IsMatch(c.UrlEnv))
            yield return $"{at}:UrlEnv: '{MonitorOptionsValidator.Shorten(c.UrlEnv)}' is not an environment variable name (the variable holds the {kind} URL)";
        else if (environment(c.UrlEnv) is not { Length: > 0 } url)
            yield return $"{at}:UrlEnv: the environment variable {c.UrlEnv} is not set (it holds the {kind} URL)";
        else if (!IsHttpUrl(url))
            yield return $"{at}:UrlEnv: the environment variable {c.UrlEnv} does not hold an absolute http(s) URL";
    }

    private static bool IsHttpUrl(string text) =>
        Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps);

    /// <summary>Standard Webhooks: "whsec_" and the base64 of the key (24 to 64 bytes).</summary>
    public static bool IsSecret(string? value)
    {
        if (value is null || !value.StartsWith("whsec_", StringComparison.Ordinal))
            return false;
        var key = new byte[96];
        return Convert.TryFromBase64String(value["whsec_".Length..], key, out var length) && length is >= 24 and <= 64;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,40}$")]
    private static partial Regex ChannelName();
}
