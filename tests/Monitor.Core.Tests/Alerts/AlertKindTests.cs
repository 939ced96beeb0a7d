using Monitor.Core.Alerts;

namespace Monitor.Core.Tests.Alerts;

public sealed class AlertKindTests
{
    [Fact]
    public void SnakeCase_AlertKinds_AreTheNamesEveryIssueUses()
    {
        var names = Enum.GetValues<AlertKind>().Select(k => SnakeCase.Of(k));

        Assert.Equal(
            ["budget_threshold", "budget_forecast", "anomaly", "deprecation", "alias_moved", "key_rotation", "key_expiry",
             "key_unused", "provider_cap", "low_balance", "payment_failure", "stale_data", "pull_failure",
             "unmetered_usage"],
            names);
    }

    [Fact]
    public void SnakeCase_TryParse_AcceptsBothForms()
    {
        Assert.True(SnakeCase.TryParse<AlertKind>("stale_data", out var a));
        Assert.True(SnakeCase.TryParse<AlertKind>("StaleData", out var b));
        Assert.Equal(AlertKind.StaleData, a);
        Assert.Equal(a, b);
        Assert.False(SnakeCase.TryParse<AlertKind>("nope", out _));
    }
}
