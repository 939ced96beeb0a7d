namespace Monitor.Hosting;

public sealed class DashboardOptions
{
    /// <summary>Where the dashboard listens; loopback by default. Beyond loopback, <see cref="Auth"/> is required.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:5080";

    /// <summary>The folder of page files (<c>*.json</c>); when it does not exist the pages embedded in the build are used.</summary>
    public string Directory { get; set; } = "dashboards";

    /// <summary>Who may see the dashboard: names of environment variables holding the secrets, never the secrets.</summary>
    public DashboardAuthOptions Auth { get; set; } = new();
}
