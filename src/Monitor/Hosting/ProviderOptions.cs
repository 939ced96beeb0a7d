using Monitor.Core.Usage;

namespace Monitor.Hosting;

/// <summary>One configured provider account (an organisation, a gateway, a proxy).</summary>
public sealed class ProviderOptions
{
    /// <summary>The account name used everywhere (ledger, alerts, dashboard): unique, e.g. <c>mistral-prod</c>.</summary>
    public string Name { get; set; } = "";

    /// <summary>One of the <see cref="ProviderKind"/> names.</summary>
    public string Kind { get; set; } = "";

    public string BaseUrl { get; set; } = "";

    /// <summary>Mistral's admin API prefix (it moved once already); other kinds ignore it.</summary>
    public string AdminPathPrefix { get; set; } = "/v1/admin";

    /// <summary>The name of the environment variable that holds the key; never the key itself.</summary>
    public string ApiKeyEnv { get; set; } = "";

    /// <summary>
    /// The name of the environment variable holding an ordinary (workspace, project or inference) key, for the endpoints
    /// an admin key may not call: Mistral's and OpenAI's model list. Optional; without it the model list is skipped.
    /// </summary>
    public string ModelsApiKeyEnv { get; set; } = "";

    /// <summary>
    /// How the admin key is sent where the provider's own sources disagree (Mistral: its admin docs say
    /// <c>x-api-key</c>, its OpenAPI file says bearer): <c>XApiKey</c> or <c>Bearer</c>; empty is the kind's default.
    /// </summary>
    public string AdminAuth { get; set; } = "";

    /// <summary>Quartz cron expression for scheduled pulls.</summary>
    public string Schedule { get; set; } = "0 */15 * * * ?";

    public bool Enabled { get; set; } = true;

    /// <summary>
    /// True when the account's usage API is pulled: enabled, with a key to pull it. An account used only through the
    /// metering proxy has no <see cref="ApiKeyEnv"/> and is never pulled (no failed run every schedule).
    /// </summary>
    public bool Pulled => Enabled && !string.IsNullOrWhiteSpace(ApiKeyEnv);

    /// <summary>An organisation to act for, where the provider takes one (Kilo: X-KiloCode-OrganizationId).</summary>
    public string Organization { get; set; } = "";

    /// <summary>The billing currency when the provider does not say (USD or EUR); estimates use it.</summary>
    public string Currency { get; set; } = "";

    /// <summary>The metering proxy for this account (<c>/proxy/{Name}/...</c>).</summary>
    public ProxyOptions Proxy { get; set; } = new();

    /// <summary>
    /// <c>Api</c> or <c>Proxy</c>: the usage source this account counts; empty picks <see cref="CountedSource"/>'s default.
    /// </summary>
    public string UsageFrom { get; set; } = "";

    /// <summary>
    /// The usage source counted for this account: the configured <see cref="UsageFrom"/>, else the provider's usage API
    /// where the kind has one and a key is configured to pull it (it is the bill), else the proxy (Codestral and
    /// OpenAI-compatible endpoints have no usage API; an account without an admin key is seen only through the proxy).
    /// </summary>
    public UsageFrom CountedSource =>
        Enum.TryParse<UsageFrom>(UsageFrom, ignoreCase: true, out var configured) ? configured
        : ParsedKind is ProviderKind.Codestral or ProviderKind.OpenAICompatible || string.IsNullOrWhiteSpace(ApiKeyEnv) ? Hosting.UsageFrom.Proxy
        : Hosting.UsageFrom.Api;

    /// <summary>Set by <c>monitor demo</c> for its fake accounts: their records are labelled source=demo.</summary>
    public bool Demo { get; set; }

    public ProviderKind ParsedKind => Enum.Parse<ProviderKind>(Kind, ignoreCase: true);
}
