using Monitor.Core.Alerts;

namespace Monitor.Core.Tests.Alerts;

public sealed class StaleDataTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan SixHours = TimeSpan.FromHours(6);

    [Fact]
    public void Evaluate_RecentSuccess_IsQuiet()
    {
        Assert.Empty(StaleData.Evaluate([new("a", Now.AddDays(-9), Now.AddHours(-5), Now.AddMinutes(-1), "boom")], Now, SixHours));
    }

    [Fact]
    public void Evaluate_OldSuccess_RaisesOneWarningKeyedByThatSuccess()
    {
        var lastOk = Now.AddHours(-7);

        var alert = Assert.Single(StaleData.Evaluate([new("mistral-prod", Now.AddDays(-9), lastOk, Now.AddMinutes(-5), "HTTP 503")], Now, SixHours));

        Assert.Equal(AlertKind.StaleData, alert.Kind);
        Assert.Equal(AlertSeverity.Warning, alert.Severity);
        Assert.Equal($"stale_data:mistral-prod:{lastOk.ToUnixTimeSeconds()}", alert.DedupKey);
        Assert.Contains("HTTP 503", alert.Detail, StringComparison.Ordinal);
        Assert.Equal("[Stale data] mistral-prod: no successful pull for 7 h 0 min", alert.Title);
    }

    [Fact]
    public void Evaluate_NeverSucceeded_CountsFromTheFirstAttempt_AndGoesCriticalWhenLong()
    {
        var alert = Assert.Single(StaleData.Evaluate([new("new", Now.AddDays(-3), null, Now.AddMinutes(-5), "HTTP 401")], Now, SixHours));

        Assert.Equal("stale_data:new:never", alert.DedupKey);
        Assert.Equal(AlertSeverity.Critical, alert.Severity);
    }

    [Fact]
    public void Evaluate_NoAttemptYet_IsQuiet()
    {
        Assert.Empty(StaleData.Evaluate([new("idle", null, null, null, null)], Now, SixHours));
    }
}
