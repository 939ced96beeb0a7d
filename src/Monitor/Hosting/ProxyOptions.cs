namespace Monitor.Hosting;

/// <summary>The metering proxy of one account (<c>Monitor:Providers:N:Proxy</c>): <c>/proxy/{account}/...</c> forwards to its upstream.</summary>
public sealed class ProxyOptions
{
    /// <summary>Serve <c>/proxy/{account}/...</c> for this account.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The URL that <c>/proxy/{account}</c> stands for, where the inference base differs from the admin base (Kilo's
    /// gateway <c>https://api.kilo.ai/api/gateway</c>). Empty: the account's <c>BaseUrl</c>. A trailing <c>/v1</c> is
    /// taken off either way, so clients keep their version segment: <c>.../proxy/{account}/v1</c>.
    /// </summary>
    public string UpstreamUrl { get; set; } = "";

    /// <summary>
    /// The environment variable holding a client token that callers of this account must send in
    /// <c>X-Monitor-Token</c> besides their provider key; empty falls back to <c>Monitor:Proxy:ClientTokenEnv</c>.
    /// </summary>
    public string ClientTokenEnv { get; set; } = "";

    /// <summary>
    /// Ask streams for usage with <c>stream_options.include_usage</c> (removed again from what the caller gets). Empty:
    /// by kind, on for OpenAI, OpenAI-compatible and LiteLLM. Turn it off for a server that rejects the option.
    /// </summary>
    public bool? AskStreamUsage { get; set; }
}
