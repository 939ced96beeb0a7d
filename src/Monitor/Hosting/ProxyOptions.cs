namespace Monitor.Hosting;

/// <summary>The metering proxy of one account (<c>Monitor:Providers:N:Proxy</c>): <c>/proxy/{account}/...</c> forwards to its base URL.</summary>
public sealed class ProxyOptions
{
    /// <summary>Serve <c>/proxy/{account}/...</c> for this account.</summary>
    public bool Enabled { get; set; }
}
