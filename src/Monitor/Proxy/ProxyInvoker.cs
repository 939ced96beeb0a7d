namespace Monitor.Proxy;

/// <summary>The proxy's own HTTP client (never the resilient provider client: a proxy must not retry for its caller).</summary>
public sealed record ProxyInvoker(HttpMessageInvoker Invoker);
