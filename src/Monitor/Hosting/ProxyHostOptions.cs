namespace Monitor.Hosting;

/// <summary>The metering proxy's settings shared by every account (<c>Monitor:Proxy</c>).</summary>
public sealed class ProxyHostOptions
{
    /// <summary>The largest request body a caller may send through the proxy (OCR documents travel as base64 JSON).</summary>
    public long MaxRequestBodySize { get; set; } = 100 * 1024 * 1024;

    /// <summary>How long an upstream may stay silent (before its headers or between two chunks) before the call is cut.</summary>
    public TimeSpan ActivityTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The environment variable holding a client token every proxy caller must send in <c>X-Monitor-Token</c>
    /// (an account's own <c>Proxy:ClientTokenEnv</c> wins); empty: the provider key alone authenticates.
    /// </summary>
    public string ClientTokenEnv { get; set; } = "";
}
