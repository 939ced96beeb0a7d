namespace Monitor.Hosting;

/// <summary>
/// Dashboard authentication (<c>Monitor:Dashboard:Auth</c>): a bearer token, or basic auth, each read from an
/// environment variable named here. Required when the dashboard binds beyond loopback; enforced whenever set.
/// </summary>
public sealed class DashboardAuthOptions
{
    /// <summary>The variable holding the bearer token (<c>Authorization: Bearer TOKEN</c>).</summary>
    public string TokenEnv { get; set; } = "";

    /// <summary>The variable holding the basic-auth user name (with <see cref="PasswordEnv"/>).</summary>
    public string UserEnv { get; set; } = "";

    public string PasswordEnv { get; set; } = "";
}
