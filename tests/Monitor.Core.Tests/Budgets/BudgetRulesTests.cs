using Monitor.Core.Alerts;
using Monitor.Core.Budgets;
using Monitor.Core.Pricing;

namespace Monitor.Core.Tests.Budgets;

public sealed class BudgetRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 15, 30, 0, TimeSpan.Zero);

    private static BudgetDefinition Budget(decimal amount = 200, BudgetPeriodKind period = BudgetPeriodKind.Month) => new()
    {
        Name = "mistral-monthly", Scope = new BudgetScope(Account: "mistral-prod"), Amount = amount, Currency = Currency.EUR,
        Period = period, TimeZone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris"), ThresholdAmounts = [150],
    };

    private static BudgetStatus Status(BudgetDefinition b, decimal spent, double? forecast = null) => new()
    {
        Budget = b, Period = b.PeriodAt(Now), At = Now, Spent = spent,
        Projection = forecast is { } f ? new SpendProjection((double)spent * 1e6, f * 1e6, [], "weekday and hour pattern") : null,
    };

    [Fact]
    public void Decide_SpendJumpedOverSeveralThresholds_AlertsOnlyTheHighest()
    {
        var decisions = BudgetRules.Decide(Status(Budget(), 161.20m, 243.10));

        var d = Assert.Single(decisions, x => x.Kind == AlertKind.BudgetThreshold);
        Assert.Equal("[Budget 80%] mistral-monthly: EUR 161.20 of EUR 200.00, forecast EUR 243.10", d.Title);
        Assert.Equal(AlertSeverity.Warning, d.Severity);
        Assert.Equal($"budget:mistral-monthly:{new DateTimeOffset(2026, 10, 31, 23, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds()}:pct80", d.DedupKey);
    }

    [Fact]
    public void Decide_AbsoluteThresholdAboveTheHighestPercent_IsTheOneAlerted()
    {
        var d = BudgetRules.Decide(Status(Budget(), 155m)).Single(x => x.Kind == AlertKind.BudgetThreshold);

        Assert.StartsWith("[Budget EUR 150.00] mistral-monthly: EUR 155.00 of EUR 200.00", d.Title, StringComparison.Ordinal);
        Assert.EndsWith(":amt150", d.DedupKey, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_OverTheAmount_IsCritical()
    {
        var d = BudgetRules.Decide(Status(Budget(), 201m)).Single();

        Assert.Equal((AlertSeverity.Critical, true), (d.Severity, d.DedupKey.EndsWith(":pct100", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(219.0, false)] // within the 10 % margin
    [InlineData(221.0, true)]
    public void Decide_Forecast_FiresOnlyBeyondTheMargin(double forecast, bool fires)
    {
        var decisions = BudgetRules.Decide(Status(Budget(), 90m, forecast));

        Assert.Equal(fires, decisions.Any(d => d.Kind == AlertKind.BudgetForecast));
    }

    [Fact]
    public void Decide_ForecastEarlyInThePeriod_Waits()
    {
        var b = Budget();
        var early = new BudgetStatus
        {
            Budget = b, Period = b.PeriodAt(Now), At = b.PeriodAt(Now).Start.AddHours(20), Spent = 20,
            Projection = new SpendProjection(20e6, 900e6, [], "linear"),
        };

        Assert.Empty(BudgetRules.Decide(early));
    }

    [Fact]
    public void Decide_SamePeriodDifferentAmount_KeepsTheThresholdKey()
    {
        var before = BudgetRules.Decide(Status(Budget(200), 170m)).Single();
        var raised = BudgetRules.Decide(Status(Budget(210), 170m)).Single();

        Assert.Equal(before.DedupKey, raised.DedupKey); // 80 % of either: already sent, not sent again
    }

    [Fact]
    public void EpisodeStart_RollingSpendAboveThreshold_IsWhenTheStretchBegan()
    {
        var origin = Now.AddDays(-20);
        var spend = new HourlySpend(DateTimeOffset.FromUnixTimeSeconds(origin.ToUnixTimeSeconds() / 3600 * 3600), 24 * 21);
        var burst = new DateTimeOffset(2026, 11, 21, 3, 0, 0, TimeSpan.Zero);
        spend.Add(burst, TimeSpan.FromHours(1), 100e6, Now);

        // A 7-day window holds the burst from 04:00 on the 21st (the hour after it) until a week later.
        Assert.Equal(burst.AddHours(1), BudgetRules.EpisodeStart(spend, 7, 50, Now));
    }
}
