using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Hosting;
using Monitor.Providers;

namespace Monitor.Proxy;

/// <summary>
/// The accounts with <c>Proxy:Enabled</c>, resolved once at start: the only upstreams the proxy can reach. An account's
/// upstream is its <c>Proxy:UpstreamUrl</c>, else its <c>BaseUrl</c> (Kilo: its gateway below it), without a trailing
/// version segment (<c>/v1</c>; Mistral's <c>/v1/admin</c>), so that a client's base URL
/// <c>http://monitor:5080/proxy/{account}/v1</c> works however the account's URL was pasted.
/// </summary>
public sealed class ProxyRoutes
{
    /// <summary>The header carrying the optional client token.</summary>
    public const string ClientTokenHeader = "X-Monitor-Token";

    /// <summary>
    /// Kilo's inference gateway below its API base (Kilo-Org/cloud <c>src/app/api/gateway/[...path]/route.ts</c>, an alias
    /// of <c>/api/openrouter</c>, which serves <c>/chat/completions</c> with no version segment).
    /// </summary>
    public const string KiloGateway = "/api/gateway";

    private readonly Dictionary<string, ProxyRoute> _routes;

    public ProxyRoutes(IOptions<MonitorOptions> options)
        : this(options.Value, Environment.GetEnvironmentVariable)
    {
    }

    public ProxyRoutes(MonitorOptions options, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        _routes = new Dictionary<string, ProxyRoute>(StringComparer.Ordinal);
        for (var i = 0; i < options.Providers.Count; i++)
        {
            var account = options.Providers[i];
            if (!account.Enabled || !account.Proxy.Enabled)
                continue;
            var kind = account.ParsedKind;
            var upstream = string.IsNullOrWhiteSpace(account.Proxy.UpstreamUrl)
                ? BaseUrls.Normalise(kind, account.BaseUrl) + (kind == ProviderKind.Kilo ? KiloGateway : "")
                : BaseUrls.Normalise(kind, account.Proxy.UpstreamUrl);
            var tokenEnv = string.IsNullOrWhiteSpace(account.Proxy.ClientTokenEnv) ? options.Proxy.ClientTokenEnv : account.Proxy.ClientTokenEnv;
            var tokenKey = string.IsNullOrWhiteSpace(account.Proxy.ClientTokenEnv)
                ? $"{MonitorOptions.Section}:Proxy:ClientTokenEnv"
                : $"{MonitorOptions.Section}:Providers:{i}:Proxy:ClientTokenEnv";
            _routes[account.Name] = new ProxyRoute
            {
                Account = account.Name,
                Kind = kind,
                Upstream = new Uri(upstream, UriKind.Absolute),
                Currency = Currencies.TryParse(account.Currency, out var currency) ? currency : Currency.USD,
                Counted = account.CountedSource == UsageFrom.Proxy,
                AsksStreamUsage = account.Proxy.AskStreamUsage ?? kind is ProviderKind.OpenAI or ProviderKind.OpenAICompatible or ProviderKind.LiteLLM,
                ClientTokenDigest = ClientToken(tokenEnv, tokenKey, environment),
            };
        }
    }

    public IReadOnlyCollection<ProxyRoute> All => _routes.Values;

    /// <summary>The route of a configured, proxy-enabled account (names are matched exactly), or null.</summary>
    public ProxyRoute? Find(string account) => _routes.GetValueOrDefault(account);

    /// <summary>SHA-256 of a secret, for comparisons in constant time.</summary>
    public static byte[] Digest(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    private static byte[]? ClientToken(string variable, string key, Func<string, string?> environment)
    {
        if (string.IsNullOrWhiteSpace(variable))
            return null;
        var value = environment(variable);
        return string.IsNullOrEmpty(value)
            ? throw new BadInputException($"{key}: the environment variable '{variable}' is not set or empty")
            : Digest(value);
    }
}
