using Monitor.Core.Usage;

namespace Monitor.Ledger.Focus;

/// <summary>
/// The participating entities of a provider kind in FOCUS terms. The service provider sells the API and invoices it
/// (InvoiceIssuerName); the host provider is the same entity, because none of these APIs shows the customer the
/// infrastructure under it (FOCUS: HostProviderName equals ServiceProviderName then). An OpenAI-compatible endpoint is
/// named by its configured account, the only name the ledger has for its vendor.
/// </summary>
public static class FocusProvider
{
    public static (string Provider, string Service) Of(string provider, string account)
    {
        if (!ProviderKinds.TryParse(provider, out var kind))
            return (account, account + " API");
        return kind switch
        {
            ProviderKind.Mistral => ("Mistral AI", "Mistral AI API"),
            ProviderKind.Codestral => ("Mistral AI", "Codestral API"),
            ProviderKind.OpenAI => ("OpenAI", "OpenAI API"),
            ProviderKind.Anthropic => ("Anthropic", "Claude API"),
            ProviderKind.OpenRouter => ("OpenRouter", "OpenRouter API"),
            ProviderKind.Kilo => ("Kilo Code", "Kilo Gateway"),
            ProviderKind.LiteLLM => ("LiteLLM", "LiteLLM Proxy"),
            _ => (account, account + " API"),
        };
    }
}
