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
        var http = new ProviderHttp(httpClients.CreateClient(HttpClientName), account);
        return kind switch
        {
            ProviderKind.Mistral => new MistralConnector(http, catalog, clock),
            ProviderKind.OpenAI => new OpenAIConnector(http, catalog, clock),
            ProviderKind.Anthropic => new AnthropicConnector(new ProviderHttp(httpClients.CreateClient(HttpClientName), account, AnthropicConnector.Authorize), catalog, clock),
            ProviderKind.OpenRouter => new OpenRouterConnector(http, catalog, clock),
            ProviderKind.Kilo => new KiloConnector(new ProviderHttp(httpClients.CreateClient(HttpClientName), account, KiloConnector.Authorize(account)), catalog, clock),
            ProviderKind.LiteLLM => new LiteLLMConnector(http, catalog, clock),
            ProviderKind.Codestral => new CodestralConnector(http),
            ProviderKind.OpenAICompatible => new OpenAICompatibleConnector(http),
            _ => throw new ProviderException(account.Name, account.Kind, "connector", null,
                $"pulling from {kind} accounts arrives with the provider connectors issue; every other kind pulls today"),
        };
    }
}
