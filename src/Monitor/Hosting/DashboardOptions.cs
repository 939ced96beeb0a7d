namespace Monitor.Hosting;

public sealed class DashboardOptions
{
    /// <summary>Where the dashboard listens; loopback by default.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:5080";
}
