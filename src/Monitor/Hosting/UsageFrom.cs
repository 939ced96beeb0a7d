namespace Monitor.Hosting;

/// <summary>
/// Which usage source an account's budgets, forecasts, anomalies and dashboard count (the other is kept and shown
/// beside it, never added): the provider's usage API (the bill), or the metering proxy.
/// </summary>
public enum UsageFrom
{
    Api,
    Proxy,
}
