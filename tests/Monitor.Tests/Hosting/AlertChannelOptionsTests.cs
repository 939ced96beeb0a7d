using Monitor.Hosting;

namespace Monitor.Tests.Hosting;

/// <summary>
/// Monitor:Alerts:Channels checked at start: one line per problem naming the key, and never the secret a variable holds.
/// </summary>
public sealed class AlertChannelOptionsTests
{
    private const string Secret = "https://hooks.slack.com/services/T000/B000/s3cr3t-path";

    private static readonly Dictionary<string, string?> Environment = new()
    {
        ["SLACK_URL"] = Secret,
        ["NOT_A_URL"] = "hooks.slack.com/services/T000/B000/s3cr3t-path",
        ["HOOK_SECRET"] = "whsec_" + Convert.ToBase64String(new byte[32]),
        ["SHORT_SECRET"] = "whsec_" + Convert.ToBase64String(new byte[8]),
    };

    private static List<string> Problems(params AlertChannelOptions[] channels) =>
        [.. AlertChannelProblems.Of(channels, "Monitor:Alerts:Channels", name => Environment.GetValueOrDefault(name))];

    [Fact]
    public void Problems_ValidChannelsOfEveryKind_None()
    {
        Assert.Empty(Problems(
            new AlertChannelOptions { Name = "slack", Kind = "Slack", UrlEnv = "SLACK_URL", Kinds = ["budget_threshold", "anomaly"] },
            new AlertChannelOptions { Name = "teams", Kind = "teams", UrlEnv = "SLACK_URL" },
            new AlertChannelOptions { Name = "hook", Kind = "Webhook", UrlEnv = "SLACK_URL", SecretEnv = "HOOK_SECRET" },
            new AlertChannelOptions { Name = "am", Kind = "Alertmanager", Url = "http://alertmanager:9093" }));
    }

    [Theory]
    [InlineData("Slack", "", "", "Monitor:Alerts:Channels:0:UrlEnv: '' is not an environment variable name (the variable holds the Slack URL)")]
    [InlineData("Slack", "UNSET_VARIABLE", "", "Monitor:Alerts:Channels:0:UrlEnv: the environment variable UNSET_VARIABLE is not set (it holds the Slack URL)")]
    [InlineData("Teams", "NOT_A_URL", "", "Monitor:Alerts:Channels:0:UrlEnv: the environment variable NOT_A_URL does not hold an absolute http(s) URL")]
    [InlineData("Webhook", "SLACK_URL", "", "Monitor:Alerts:Channels:0:SecretEnv: is required for a Webhook (the environment variable holding the Standard Webhooks secret, whsec_...)")]
    [InlineData("Webhook", "SLACK_URL", "SHORT_SECRET", "Monitor:Alerts:Channels:0:SecretEnv: the environment variable SHORT_SECRET is not set to a signing secret (whsec_ followed by base64 of 24-64 bytes)")]
    [InlineData("Pager", "SLACK_URL", "", "Monitor:Alerts:Channels:0:Kind: 'Pager' is not a channel kind (expected one of Webhook, Slack, Teams, Alertmanager)")]
    [InlineData("Email", "", "", "Monitor:Alerts:Channels:0:Kind: Email is the built-in channel 'email', set up in Alerts:Email")]
    public void Problems_BadChannel_OneLineNamingTheKeyNeverTheSecret(string kind, string urlEnv, string secretEnv, string expected)
    {
        var problem = Assert.Single(Problems(new AlertChannelOptions { Name = "c", Kind = kind, UrlEnv = urlEnv, SecretEnv = secretEnv }));

        Assert.Equal(expected, problem);
        Assert.DoesNotContain("s3cr3t", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_NamesKindsAndUrlsInTheFile_EachReported()
    {
        var problems = Problems(
            new AlertChannelOptions { Name = "email", Kind = "Slack", UrlEnv = "SLACK_URL" },
            new AlertChannelOptions { Name = "a b", Kind = "Slack", UrlEnv = "SLACK_URL", Kinds = ["budget"] },
            new AlertChannelOptions { Name = "inline", Kind = "Slack", Url = Secret });

        Assert.Equal(
        [
            "Monitor:Alerts:Channels:0:Name: 'email' is used by another channel (email is the built-in mail channel)",
            "Monitor:Alerts:Channels:1:Name: 'a b' must be 1-40 letters, digits, '-' or '_'",
            "Monitor:Alerts:Channels:1:Kinds:0: 'budget' is not an alert kind (expected one of budget_threshold, budget_forecast, anomaly, deprecation, alias_moved, key_rotation, key_expiry, key_unused, provider_cap, low_balance, payment_failure, stale_data, pull_failure, unmetered_usage)",
            "Monitor:Alerts:Channels:2:Url: only an Alertmanager's URL may be in the file; a Slack URL carries its secret: name an environment variable in UrlEnv",
        ], problems);
    }
}
