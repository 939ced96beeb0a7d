using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Quartz;

namespace Monitor.Hosting;

/// <summary>
/// Checks the whole configuration at start and reports every problem, one line each, naming the key
/// (<c>Monitor:Providers:0:Kind: ...</c>), so that a bad file stops the process before anything runs.
/// </summary>
public sealed partial class MonitorOptionsValidator : IValidateOptions<MonitorOptions>
{
    private static readonly string KindNames = string.Join(", ", Enum.GetNames<ProviderKind>());

    public ValidateOptionsResult Validate(string? name, MonitorOptions options)
    {
        var problems = Problems(options).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    public static IEnumerable<string> Problems(MonitorOptions o)
    {
        const string root = MonitorOptions.Section;

        var postgres = o.Storage.ParsedProvider == Storage.SqlDialect.Postgres;
        if (!postgres && !string.Equals(o.Storage.Provider, "Sqlite", StringComparison.OrdinalIgnoreCase))
            yield return $"{root}:Storage:Provider: '{o.Storage.Provider}' is not one of Sqlite, Postgres";
        if (postgres && !EnvName().IsMatch(o.Storage.Postgres.ConnectionStringEnv))
            yield return $"{root}:Storage:Postgres:ConnectionStringEnv: '{Shorten(o.Storage.Postgres.ConnectionStringEnv)}' is not an environment variable name (put the connection string in the environment, never in the file)";
        else if (postgres && string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(o.Storage.Postgres.ConnectionStringEnv)))
            yield return $"{root}:Storage:Postgres:ConnectionStringEnv: the environment variable {o.Storage.Postgres.ConnectionStringEnv} is not set (it holds the PostgreSQL connection string)";
        if (!postgres && string.IsNullOrWhiteSpace(o.Storage.Sqlite.Path))
            yield return $"{root}:Storage:Sqlite:Path: must name the database file";
        if (o.Storage.Sqlite.BusyTimeout <= TimeSpan.Zero)
            yield return $"{root}:Storage:Sqlite:BusyTimeout: must be positive";
        if (postgres && o.Scheduler.Clustered == false)
            yield return $"{root}:Scheduler:Clustered: false is refused on PostgreSQL: a scheduler that is not clustered on the shared tables fires every trigger on every node (remove the key: clustering is always on with Storage:Provider Postgres)";
        if (!postgres && o.Scheduler.Clustered == true)
            yield return $"{root}:Scheduler:Clustered: true needs {root}:Storage:Provider Postgres (a cluster shares its triggers through PostgreSQL; SQLite serves one node)";
        if (string.IsNullOrWhiteSpace(o.Scheduler.InstanceId) || o.Scheduler.InstanceId.Length > 200)
            yield return $"{root}:Scheduler:InstanceId: must be AUTO or a name of at most 200 characters, unique per node";
        if (o.Scheduler.CheckinInterval < TimeSpan.FromSeconds(1) || o.Scheduler.CheckinInterval > TimeSpan.FromMinutes(10))
            yield return $"{root}:Scheduler:CheckinInterval: '{o.Scheduler.CheckinInterval}' must be between 00:00:01 and 00:10:00";
        if (o.Scheduler.CheckinMisfireThreshold < TimeSpan.FromSeconds(1))
            yield return $"{root}:Scheduler:CheckinMisfireThreshold: '{o.Scheduler.CheckinMisfireThreshold}' must be at least 00:00:01";

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < o.Providers.Count; i++)
        {
            var p = o.Providers[i];
            var at = $"{root}:Providers:{i}";
            if (string.IsNullOrWhiteSpace(p.Name))
                yield return $"{at}:Name: is required";
            else if (!AccountName().IsMatch(p.Name))
                yield return $"{at}:Name: '{p.Name}' must be letters, digits, '-', '_' or '.'";
            else if (!names.Add(p.Name))
                yield return $"{at}:Name: '{p.Name}' is used by another provider account";

            if (!Enum.TryParse<ProviderKind>(p.Kind, ignoreCase: true, out _) || int.TryParse(p.Kind, out _))
                yield return $"{at}:Kind: '{p.Kind}' is not a provider kind (expected one of {KindNames})";

            if (!Uri.TryCreate(p.BaseUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                yield return $"{at}:BaseUrl: '{p.BaseUrl}' is not an absolute http(s) URL";

            if (string.IsNullOrWhiteSpace(p.ApiKeyEnv))
            {
                // An account used only through the metering proxy needs no admin key: its callers bring their own.
                if (!p.Proxy.Enabled)
                    yield return $"{at}:ApiKeyEnv: is required (the name of the environment variable holding the key), unless Proxy:Enabled is true";
                else if (string.Equals(p.UsageFrom, nameof(UsageFrom.Api), StringComparison.OrdinalIgnoreCase))
                    yield return $"{at}:UsageFrom: 'Api' needs ApiKeyEnv (without a key nothing is pulled; use Proxy)";
            }
            else if (!EnvName().IsMatch(p.ApiKeyEnv))
                yield return $"{at}:ApiKeyEnv: '{Shorten(p.ApiKeyEnv)}' is not an environment variable name (put the key in the environment, never in the file)";

            if (!string.IsNullOrEmpty(p.ModelsApiKeyEnv) && !EnvName().IsMatch(p.ModelsApiKeyEnv))
                yield return $"{at}:ModelsApiKeyEnv: '{Shorten(p.ModelsApiKeyEnv)}' is not an environment variable name (put the key in the environment, never in the file)";

            if (!string.IsNullOrEmpty(p.UsageFrom) && !Enum.TryParse<UsageFrom>(p.UsageFrom, ignoreCase: true, out _))
                yield return $"{at}:UsageFrom: '{p.UsageFrom}' is not one of Api, Proxy";

            if (!string.IsNullOrEmpty(p.AdminAuth) && !Enum.TryParse<AdminAuth>(p.AdminAuth, ignoreCase: true, out _))
                yield return $"{at}:AdminAuth: '{p.AdminAuth}' is not one of XApiKey, Bearer";

            if (!IsCron(p.Schedule))
                yield return $"{at}:Schedule: '{p.Schedule}' is not a valid Quartz cron expression (e.g. '0 */15 * * * ?')";

            if (!string.IsNullOrEmpty(p.Currency) && !Currencies.TryParse(p.Currency, out _))
                yield return $"{at}:Currency: '{p.Currency}' is not USD or EUR";

            if (!p.AdminPathPrefix.StartsWith('/'))
                yield return $"{at}:AdminPathPrefix: '{p.AdminPathPrefix}' must start with '/'";

            if (!string.IsNullOrEmpty(p.Proxy.UpstreamUrl)
                && (!Uri.TryCreate(p.Proxy.UpstreamUrl, UriKind.Absolute, out var upstream) || (upstream.Scheme != Uri.UriSchemeHttp && upstream.Scheme != Uri.UriSchemeHttps)
                    || !string.IsNullOrEmpty(upstream.Query) || !string.IsNullOrEmpty(upstream.Fragment) || !string.IsNullOrEmpty(upstream.UserInfo)))
                yield return $"{at}:Proxy:UpstreamUrl: '{p.Proxy.UpstreamUrl}' is not an absolute http(s) URL without query, fragment or user";
            if (!string.IsNullOrEmpty(p.Proxy.ClientTokenEnv) && !EnvName().IsMatch(p.Proxy.ClientTokenEnv))
                yield return $"{at}:Proxy:ClientTokenEnv: '{Shorten(p.Proxy.ClientTokenEnv)}' is not an environment variable name (put the token in the environment, never in the file)";
        }

        if (o.Proxy.MaxRequestBodySize <= 0)
            yield return $"{root}:Proxy:MaxRequestBodySize: must be positive (bytes)";
        if (o.Proxy.ActivityTimeout <= TimeSpan.Zero)
            yield return $"{root}:Proxy:ActivityTimeout: must be positive";
        if (!string.IsNullOrEmpty(o.Proxy.ClientTokenEnv) && !EnvName().IsMatch(o.Proxy.ClientTokenEnv))
            yield return $"{root}:Proxy:ClientTokenEnv: '{Shorten(o.Proxy.ClientTokenEnv)}' is not an environment variable name (put the token in the environment, never in the file)";

        if (o.Pull.LookBack < TimeSpan.Zero)
            yield return $"{root}:Pull:LookBack: must not be negative";
        if (o.Pull.InitialBackfill <= TimeSpan.Zero)
            yield return $"{root}:Pull:InitialBackfill: must be positive";
        if (o.Pull.ChunkSize < TimeSpan.FromHours(1))
            yield return $"{root}:Pull:ChunkSize: must be at least one hour";
        if (o.Pull.StaleAfter <= TimeSpan.Zero)
            yield return $"{root}:Pull:StaleAfter: must be positive";
        if (o.Pull.RetryBaseDelay < TimeSpan.Zero)
            yield return $"{root}:Pull:RetryBaseDelay: must not be negative";
        if (o.Pull.AttemptTimeout <= TimeSpan.Zero)
            yield return $"{root}:Pull:AttemptTimeout: must be positive";

        var email = o.Alerts.Email;
        if (!string.IsNullOrEmpty(email.Smtp.Host))
        {
            if (email.Smtp.Port is < 1 or > 65535)
                yield return $"{root}:Alerts:Email:Smtp:Port: {email.Smtp.Port} is not a TCP port";
            if (string.IsNullOrWhiteSpace(email.From))
                yield return $"{root}:Alerts:Email:From: is required when an SMTP host is set";
        }

        if (!Enum.TryParse<SmtpSecurity>(email.Smtp.Security, ignoreCase: false, out _) || int.TryParse(email.Smtp.Security, out _))
            yield return $"{root}:Alerts:Email:Smtp:Security: '{email.Smtp.Security}' must be None, StartTls or SslOnConnect";
        if (email.Smtp.Timeout <= TimeSpan.Zero)
            yield return $"{root}:Alerts:Email:Smtp:Timeout: must be positive";
        if (!string.IsNullOrEmpty(email.Smtp.CaCertificateFile) && !File.Exists(email.Smtp.CaCertificateFile))
            yield return $"{root}:Alerts:Email:Smtp:CaCertificateFile: '{email.Smtp.CaCertificateFile}' does not exist";
        if (email.RetryBaseDelay <= TimeSpan.Zero || email.RetryMaxDelay < email.RetryBaseDelay)
            yield return $"{root}:Alerts:Email:RetryBaseDelay: must be positive and not above RetryMaxDelay";
        if (!IsCron(o.Alerts.CheckSchedule))
            yield return $"{root}:Alerts:CheckSchedule: '{o.Alerts.CheckSchedule}' is not a Quartz cron expression (sec min hour day month weekday)";
        if (o.Alerts.Cooldown < TimeSpan.Zero)
            yield return $"{root}:Alerts:Cooldown: must not be negative";
        if (o.Alerts.Digest.Hour is < 0 or > 23)
            yield return $"{root}:Alerts:Digest:Hour: {o.Alerts.Digest.Hour} must be 0-23";
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(o.Alerts.Digest.TimeZone, out _))
            yield return $"{root}:Alerts:Digest:TimeZone: '{o.Alerts.Digest.TimeZone}' is not an IANA time zone (Europe/Paris, UTC)";
        if (!string.IsNullOrEmpty(o.Alerts.DashboardUrl) && !Uri.TryCreate(o.Alerts.DashboardUrl, UriKind.Absolute, out _))
            yield return $"{root}:Alerts:DashboardUrl: '{o.Alerts.DashboardUrl}' is not an absolute URL";
        for (var i = 0; i < email.To.Count; i++)
        {
            if (!MimeKit.MailboxAddress.TryParse(email.To[i], out _) || !email.To[i].Contains('@', StringComparison.Ordinal))
                yield return $"{root}:Alerts:Email:To:{i}: '{email.To[i]}' is not an email address";
        }

        if (!string.IsNullOrEmpty(email.Smtp.UserEnv) && !EnvName().IsMatch(email.Smtp.UserEnv))
            yield return $"{root}:Alerts:Email:Smtp:UserEnv: is not an environment variable name";
        if (!string.IsNullOrEmpty(email.Smtp.PasswordEnv) && !EnvName().IsMatch(email.Smtp.PasswordEnv))
            yield return $"{root}:Alerts:Email:Smtp:PasswordEnv: is not an environment variable name (put the password in the environment, never in the file)";

        if (o.Anomalies.AlertScore is <= 0 or >= 1)
            yield return $"{root}:Anomalies:AlertScore: {o.Anomalies.AlertScore} must be between 0 and 1 (exclusive)";
        if (o.Anomalies.MinImpactRelative < 0)
            yield return $"{root}:Anomalies:MinImpactRelative: must not be negative";
        if (o.Anomalies.MinImpactAbsolute < 0)
            yield return $"{root}:Anomalies:MinImpactAbsolute: must not be negative";
        if (o.Anomalies.MinImpactPerDay < 0)
            yield return $"{root}:Anomalies:MinImpactPerDay: must not be negative";
        if (o.Anomalies.QuietDays < 1)
            yield return $"{root}:Anomalies:QuietDays: must be at least 1";
        if (o.Anomalies.RotatedQuietDays < 1)
            yield return $"{root}:Anomalies:RotatedQuietDays: must be at least 1";
        if (o.Anomalies.InitialLookBack <= TimeSpan.Zero)
            yield return $"{root}:Anomalies:InitialLookBack: must be positive";

        foreach (var url in o.Dashboard.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out _))
                yield return $"{root}:Dashboard:Urls: '{url}' is not an absolute URL";
        }

        var unmetered = o.Alerts.Unmetered;
        if (unmetered.MinAmountPerDay < 0)
            yield return $"{root}:Alerts:Unmetered:MinAmountPerDay: must not be negative";
        if (unmetered.MinTokensPerDay < 0)
            yield return $"{root}:Alerts:Unmetered:MinTokensPerDay: must not be negative";
        if (unmetered.MinShare is < 0 or > 100)
            yield return $"{root}:Alerts:Unmetered:MinShare: {unmetered.MinShare} must be a percentage 0-100";
        if (unmetered.Tolerance is < 0 or > 100 || unmetered.Tolerance > unmetered.MinShare)
            yield return $"{root}:Alerts:Unmetered:Tolerance: {unmetered.Tolerance} must be a percentage 0-100, not above MinShare ({unmetered.MinShare})";
        if (unmetered.SettleDelay < TimeSpan.Zero || unmetered.SettleDelay > TimeSpan.FromDays(3))
            yield return $"{root}:Alerts:Unmetered:SettleDelay: must be between 0 and 3 days";
        if (unmetered.LookBackDays is < 1 or > 90)
            yield return $"{root}:Alerts:Unmetered:LookBackDays: {unmetered.LookBackDays} must be 1-90";

        if (o.Alerts.LowBalanceDays is < 1 or > 365)
            yield return $"{root}:Alerts:LowBalanceDays: {o.Alerts.LowBalanceDays} must be 1-365";
        if (!string.IsNullOrEmpty(email.Smtp.Host) && email.To.Count == 0)
            yield return $"{root}:Alerts:Email:To: at least one recipient is required when an SMTP host is set";
        foreach (var problem in BudgetDefinitions.Problems(o, root))
            yield return problem;
        foreach (var problem in AlertChannelProblems.Of(o.Alerts.Channels, $"{root}:Alerts:Channels", Environment.GetEnvironmentVariable))
            yield return problem;

        if (o.Demo.Days is < 7 or > 400)
            yield return $"{root}:Demo:Days: {o.Demo.Days} must be between 7 and 400";

        foreach (var problem in LifecycleProblems.Of(o))
            yield return problem;
    }

    private static bool IsCron(string expression)
    {
        try
        {
            _ = new CronExpression(expression);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    // A value that does not look like a variable name may be a pasted key: show only its start.
    internal static string Shorten(string value) => value.Length <= 6 ? value : value[..3] + "...";

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex AccountName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    internal static partial Regex EnvName();
}
