using System.Globalization;
using System.Security.Cryptography;

namespace Monitor.Tests.Alerts;

/// <summary>
/// Configuration for alert channel tests: budgets that cross on a known spend, and channels whose URL and signing
/// secret sit in environment variables of their own (a unique name per channel, so tests never share one).
/// </summary>
public static class ChannelSettings
{
    public static readonly DateTimeOffset December = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary><paramref name="count"/> monthly USD budgets on workspace "search" (team-0: 100, team-1: 101, ...), no forecast.</summary>
    public static Dictionary<string, string?> Budgets(int count)
    {
        var settings = new Dictionary<string, string?>();
        for (var i = 0; i < count; i++)
        {
            settings[$"Monitor:Budgets:{i}:Name"] = $"team-{i}";
            settings[$"Monitor:Budgets:{i}:Scope:Workspace"] = "search";
            settings[$"Monitor:Budgets:{i}:Amount"] = (100 + i).ToString(CultureInfo.InvariantCulture);
            settings[$"Monitor:Budgets:{i}:Currency"] = "USD";
            settings[$"Monitor:Budgets:{i}:Period"] = "Month";
            settings[$"Monitor:Budgets:{i}:TimeZone"] = "UTC";
            settings[$"Monitor:Budgets:{i}:Forecast"] = "false";
        }

        return settings;
    }

    /// <summary>Channel <paramref name="index"/>: its URL in a fresh environment variable; a webhook gets a fresh signing secret (returned).</summary>
    public static string? Add(Dictionary<string, string?> settings, int index, string name, string kind, Uri url, IDictionary<string, string?>? more = null)
    {
        var at = $"Monitor:Alerts:Channels:{index}";
        settings[$"{at}:Name"] = name;
        settings[$"{at}:Kind"] = kind;
        if (kind == "Alertmanager")
            settings[$"{at}:Url"] = url.ToString();
        else
            settings[$"{at}:UrlEnv"] = Env(url.ToString());
        string? secret = null;
        if (kind == "Webhook")
        {
            secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            settings[$"{at}:SecretEnv"] = Env(secret);
        }

        foreach (var (k, v) in more ?? new Dictionary<string, string?>())
            settings[$"{at}:{k}"] = v;
        return secret;
    }

    /// <summary>Puts <paramref name="value"/> in a new environment variable of this process; returns its name.</summary>
    public static string Env(string value)
    {
        var name = "MONITOR_TEST_" + Guid.NewGuid().ToString("N").ToUpperInvariant();
        Environment.SetEnvironmentVariable(name, value);
        return name;
    }
}
