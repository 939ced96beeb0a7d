using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Hosting;

namespace Monitor.Providers;

/// <summary>Creates the connector for an account's kind, on the shared resilient HTTP client.</summary>
public sealed class ConnectorFactory(IHttpClientFactory httpClients, PriceCatalog catalog, TimeProvider clock)
{
    public const string HttpClientName = "providers";

    public IProviderConnector Create(ProviderOptions account)
    {
        var kind = account.ParsedKind;
        ProviderHttp Http(Action<System.Net.Http.Headers.HttpRequestHeaders, string>? authorize = null) =>
            new(httpClients.CreateClient(HttpClientName), account, authorize);
        return kind switch
        {
            ProviderKind.Mistral => new MistralConnector(Http(MistralConnector.Authorize(account)), catalog, clock),
            ProviderKind.Codestral => new CodestralConnector(Http()),
            ProviderKind.OpenAI => new OpenAIConnector(Http(), catalog, clock),
            ProviderKind.Anthropic => new AnthropicConnector(Http(AnthropicConnector.Authorize), catalog, clock),
            ProviderKind.OpenRouter => new OpenRouterConnector(Http(), catalog, clock),
            ProviderKind.Kilo => new KiloConnector(Http(KiloConnector.Authorize(account)), catalog, clock),
            ProviderKind.LiteLLM => new LiteLLMConnector(Http(), catalog, clock),
            ProviderKind.OpenAICompatible => new OpenAICompatibleConnector(Http()),
            _ => throw new ArgumentOutOfRangeException(nameof(account), kind, "no connector for this provider kind"),
        };
    }
}
