using Monitor.Core.Pricing;
using Monitor.Core.Usage;

namespace Monitor.Proxy;

/// <summary>
/// One account served under <c>/proxy/{Account}/...</c>: where its calls go (<see cref="Upstream"/>, never anything
/// else), how its usage is priced and counted, and whether its streams must be asked for usage.
/// </summary>
public sealed record ProxyRoute
{
    public required string Account { get; init; }
    public required ProviderKind Kind { get; init; }

    /// <summary>The upstream base without a trailing slash, e.g. <c>https://api.mistral.ai</c>: <c>/proxy/{account}/REST</c> goes to <c>{Upstream}/REST</c>.</summary>
    public required Uri Upstream { get; init; }

    /// <summary>The currency estimates are made in: the account's <c>Currency</c>, else USD.</summary>
    public required Currency Currency { get; init; }

    /// <summary>True when the account counts the proxy as its usage source (<c>UsageFrom</c>): its rows carry counted = 1.</summary>
    public required bool Counted { get; init; }

    /// <summary>
    /// True for the kinds whose streams report usage only when asked (OpenAI's <c>stream_options.include_usage</c>):
    /// OpenAI, OpenAI-compatible servers and LiteLLM. Mistral and Codestral always send usage in the last chunk, and
    /// so do OpenRouter and Kilo's gateway (which asks OpenRouter for it itself); Anthropic always reports it.
    /// </summary>
    public required bool AsksStreamUsage { get; init; }

    /// <summary>SHA-256 of the client token callers must send in <c>X-Monitor-Token</c>, or null when none is required.</summary>
    public byte[]? ClientTokenDigest { get; init; }

    /// <summary><see cref="Upstream"/> as the destination prefix YARP appends paths to.</summary>
    public string Prefix => Upstream.GetLeftPart(UriPartial.Path).TrimEnd('/');
}
