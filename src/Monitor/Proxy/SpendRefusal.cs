namespace Monitor.Proxy;

/// <summary>An enforced budget that stops a caller: its name and the message the caller gets with HTTP 429.</summary>
public sealed record SpendRefusal(string Budget, string Message);
