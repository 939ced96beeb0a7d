using System.Net;
using System.Security.Cryptography;
using System.Text;
using Monitor.Hosting;

namespace Monitor.Dashboard;

/// <summary>
/// Who may open the dashboard. Bound to loopback without configured secrets: everyone on the machine. Otherwise every
/// request but <c>/healthz</c> needs <c>Authorization: Bearer TOKEN</c> or basic auth; secrets come from environment
/// variables and are compared as SHA-256 digests in constant time.
/// </summary>
public sealed class DashboardAuth
{
    private const string Key = "Monitor:Dashboard:Auth";
    private readonly byte[]? _token;
    private readonly byte[]? _basic;

    private DashboardAuth(byte[]? token, byte[]? basic)
    {
        _token = token;
        _basic = basic;
    }

    /// <summary>True when requests must authenticate.</summary>
    public bool Required => _token is not null || _basic is not null;

    /// <summary>True when basic auth is configured (the 401 then invites the browser to ask for it).</summary>
    public bool OffersBasic => _basic is not null;

    /// <summary>Reads the secrets; throws <see cref="BadInputException"/> naming the key when they are missing but needed.</summary>
    public static DashboardAuth Create(DashboardOptions options, Func<string, string?> environment)
    {
        var auth = options.Auth;
        var token = Secret(auth.TokenEnv, "TokenEnv", environment);
        var user = Secret(auth.UserEnv, "UserEnv", environment);
        var password = Secret(auth.PasswordEnv, "PasswordEnv", environment);
        if ((user is null) != (password is null))
            throw new BadInputException($"{Key}:{(user is null ? "UserEnv" : "PasswordEnv")}: basic auth needs both UserEnv and PasswordEnv");

        if (token is null && user is null && BeyondLoopback(options.Urls) is { } url)
        {
            throw new BadInputException(
                $"{Key}:TokenEnv: required because Monitor:Dashboard:Urls binds '{url}' beyond loopback: name an environment variable holding a token (or set {Key}:UserEnv and {Key}:PasswordEnv)");
        }

        return new DashboardAuth(
            token is null ? null : Digest(token),
            user is null ? null : Digest(user + ":" + password));
    }

    /// <summary>The first URL that is not a loopback address, or null when all are.</summary>
    public static string? BeyondLoopback(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var host = Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
                ? uri.Host
                : url;
            if (host != "localhost" && (!IPAddress.TryParse(host.Trim('[', ']'), out var ip) || !IPAddress.IsLoopback(ip)))
                return url;
        }

        return null;
    }

    public bool Allows(HttpRequest request)
    {
        if (!Required)
            return true;
        var header = request.Headers.Authorization.ToString();
        if (_token is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return CryptographicOperations.FixedTimeEquals(Digest(header["Bearer ".Length..].Trim()), _token);
        if (_basic is not null && header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
                return CryptographicOperations.FixedTimeEquals(Digest(pair), _basic);
            }
            catch (FormatException)
            {
                return false;
            }
        }

        return false;
    }

    private static string? Secret(string variable, string field, Func<string, string?> environment)
    {
        if (string.IsNullOrWhiteSpace(variable))
            return null;
        var value = environment(variable);
        return string.IsNullOrEmpty(value)
            ? throw new BadInputException($"{Key}:{field}: the environment variable '{variable}' is not set or empty")
            : value;
    }

    private static byte[] Digest(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
