using Monitor.Core.Alerts;
using Monitor.Core.Deprecations;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;

namespace Monitor.Core.Tests.Deprecations;

public sealed class DeprecationAlertsTests
{
    private static readonly DateTimeOffset Retires = new(2026, 8, 31, 12, 0, 0, TimeSpan.Zero);

    private static readonly PriceCatalog Catalog = new(
    [
        new PriceEntry { Provider = ProviderKind.Mistral, Model = "mistral-medium-2505", Currency = Currency.EUR, EffectiveFrom = new(2025, 5, 7), InputPerMillion = 0.35m, OutputPerMillion = 1.75m },
        new PriceEntry { Provider = ProviderKind.Mistral, Model = "mistral-medium-3-5", Currency = Currency.EUR, EffectiveFrom = new(2026, 4, 1), InputPerMillion = 1.25m, OutputPerMillion = 6.40m },
    ]);

    private static ModelUse Use(long requestsAfter = 0) => new()
    {
        Account = "mistral-prod", Provider = ProviderKind.Mistral, Model = "mistral-medium-2505", Currency = Currency.EUR,
        Cost = 100m, Tokens = new TokenCounts(100_000_000, 0, 0, 20_000_000, 0), Requests = 40_000,
        LastUsedAt = Retires.AddDays(-40), RequestsSinceRetirement = requestsAfter, CostSinceRetirement = requestsAfter / 100m,
        Callers = [new ModelCaller("ws-product", "", null, 80m, 30_000), new ModelCaller("ws-data", "", null, 20m, 10_000)],
    };

    private static readonly ModelLifecycle Life = new("mistral-medium-2505", Retires, "mistral-medium-3-5", "provider model list");

    [Fact]
    public void Evaluate_ThirtyDaysBefore_OneWarningWithPriceDifferenceAndCallers()
    {
        var now = new DateTimeOffset(2026, 8, 1, 9, 0, 0, TimeSpan.Zero);

        var alert = Assert.Single(DeprecationAlerts.Evaluate([(Use(), Life)], Catalog, now, 30));

        Assert.Equal(AlertKind.Deprecation, alert.Kind);
        Assert.Equal(AlertSeverity.Warning, alert.Severity);
        Assert.Equal("deprecation:mistral-prod:mistral-medium-2505:30d", alert.DedupKey);
        Assert.Equal("[Deprecation] mistral-medium-2505 retires 2026-08-31 (in 30 days): EUR 100.00/month on mistral-prod", alert.Title);
        var facts = alert.Evidence.Facts.ToDictionary(f => f.Label, f => f.Value);
        Assert.Equal("30", facts["Days left"]);
        Assert.Equal("input 0.35 -> 1.25 (+257.1%), output 1.75 -> 6.40 (+265.7%) EUR per 1M tokens", facts["Price change"]);
        // 100M input at 1.25 + 20M output at 6.40 = 253 EUR over 30 days.
        Assert.Equal("EUR 253.00 (+153%)", facts["Spend per month at the replacement's prices"]);
        Assert.Equal(["workspace ws-product", "workspace ws-data"], alert.Evidence.Breakdowns.Single().Rows.Select(r => r.Label));
    }

    [Fact]
    public void Evaluate_NinetyDaysBefore_IsInfo_AndBeforeThatNothing()
    {
        Assert.Equal(AlertSeverity.Info, DeprecationAlerts.Evaluate([(Use(), Life)], Catalog, Retires.AddDays(-85), 30).Single().Severity);
        Assert.Empty(DeprecationAlerts.Evaluate([(Use(), Life)], Catalog, new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero), 30));
    }

    [Fact]
    public void Evaluate_AfterRetirementWithCalls_IsCriticalOnce()
    {
        var alert = Assert.Single(DeprecationAlerts.Evaluate([(Use(requestsAfter: 1200), Life)], Catalog, Retires.AddDays(2), 30));

        Assert.Equal(AlertSeverity.Critical, alert.Severity);
        Assert.Equal("deprecation:mistral-prod:mistral-medium-2505:retired", alert.DedupKey);
        Assert.Equal("[Retired model] mistral-medium-2505 retired 2026-08-31 and is still called: 1,200 requests on mistral-prod", alert.Title);
    }

    [Fact]
    public void Evaluate_AfterRetirementWithoutCalls_IsQuiet()
    {
        Assert.Empty(DeprecationAlerts.Evaluate([(Use(), Life)], Catalog, Retires.AddDays(2), 30));
    }

    [Fact]
    public void Evaluate_ReplacementWithoutPrice_SaysUnknown()
    {
        var life = Life with { Replacement = "mistral-medium-9" };

        var alert = DeprecationAlerts.Evaluate([(Use(), life)], Catalog, Retires.AddDays(-3), 30).Single();

        Assert.Equal("unknown (mistral-medium-9 has no EUR price in the catalog)", alert.Evidence.Facts.Single(f => f.Label == "Price change").Value);
        Assert.Equal("deprecation:mistral-prod:mistral-medium-2505:7d", alert.DedupKey);
    }
}
