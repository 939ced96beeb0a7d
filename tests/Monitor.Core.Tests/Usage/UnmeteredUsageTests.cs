using Monitor.Core.Alerts;
using Monitor.Core.Keys;
using Monitor.Core.Usage;

namespace Monitor.Core.Tests.Usage;

public sealed class UnmeteredUsageTests
{
    private static readonly DateTimeOffset Day = new(2026, 11, 21, 0, 0, 0, TimeSpan.Zero);
    private static readonly UnmeteredRules Rules = new() { MinAmountPerDay = 1m, MinTokensPerDay = 100_000, MinSharePercent = 10m, TolerancePercent = 2m };
    private static readonly string Seen = KeyFingerprint.Of("sk-proj-seen-by-the-proxy-AAAA");

    private static SourceUsage Api(string model, decimal cost, long tokens, string key = "", string currency = "EUR") =>
        new(model, key, Metered: false, currency, (long)(cost * 1_000_000m), 0, tokens, 10);

    private static SourceUsage Proxy(string model, decimal? cost, long tokens, string currency = "EUR") =>
        new(model, Seen, Metered: true, currency, cost is { } c ? (long)(c * 1_000_000m) : 0, cost is null ? 1 : 0, tokens, 10);

    [Fact]
    public void Compare_ProxySeesEverything_NothingUnmetered()
    {
        var day = UnmeteredUsage.Compare("acct", Day, [Api("large", 10m, 500_000), Proxy("large", 10m, 500_000)], [], Rules);

        Assert.Equal((UnmeteredMeasure.Cost, 0L, 0m, false), (day.Measure, day.Unmetered, day.SharePercent, day.Exceeds));
    }

    [Fact]
    public void Compare_BothPriced_ComparesCostPerModelAndDay()
    {
        var day = UnmeteredUsage.Compare(
            "acct", Day, [Api("large", 10m, 500_000), Api("small", 2m, 900_000), Proxy("large", 4m, 200_000), Proxy("small", 2m, 900_000)], [], Rules);

        Assert.Equal(UnmeteredMeasure.Cost, day.Measure);
        Assert.Equal("EUR", day.Currency);
        Assert.Equal((12_000_000L, 6_000_000L, 6_000_000L, 50m), (day.Reported, day.Metered, day.Unmetered, day.SharePercent));
        Assert.True(day.Exceeds);
        Assert.Equal(["large", "small"], day.Lines.Select(l => l.Model));
        Assert.Equal((6_000_000L, 300_000L), (day.Lines[0].GapMicros!.Value, day.Lines[0].GapTokens));
    }

    [Fact]
    public void Compare_ProxySideUnpriced_ComparesTokens()
    {
        var day = UnmeteredUsage.Compare("acct", Day, [Api("large", 10m, 500_000), Proxy("large-2411", null, 100_000)], [], Rules);

        Assert.Equal((UnmeteredMeasure.Tokens, (string?)null), (day.Measure, day.Currency));
        Assert.Equal((500_000L, 100_000L, 400_000L, 80m, true), (day.Reported, day.Metered, day.Unmetered, day.SharePercent, day.Exceeds));
        Assert.Equal("400,000 tokens", UnmeteredAlert.Amount(day, day.Unmetered));
    }

    [Fact]
    public void Compare_SidesInDifferentCurrencies_ComparesTokens()
    {
        var day = UnmeteredUsage.Compare("acct", Day, [Api("large", 10m, 500_000), Proxy("large", 4m, 450_000, "USD")], [], Rules);

        Assert.Equal((UnmeteredMeasure.Tokens, 50_000L, 10m), (day.Measure, day.Unmetered, day.SharePercent));
        Assert.False(day.Exceeds); // 50,000 tokens is under MinTokensPerDay
    }

    [Fact]
    public void Compare_DifferenceWithinTheTolerance_IsTimingNotUnmeteredUsage()
    {
        var day = UnmeteredUsage.Compare("acct", Day, [Api("large", 100m, 5_000_000), Proxy("large", 98.5m, 4_925_000)], [], Rules);

        Assert.Equal((0L, 0m, false), (day.Unmetered, day.SharePercent, day.Exceeds));
        Assert.Equal(1_500_000L, day.Lines[0].GapMicros); // the model line keeps the raw numbers
    }

    [Theory]
    [InlineData(0.9, false)] // EUR 0.90 of EUR 1.80: half, but under MinAmountPerDay
    [InlineData(1.0, true)]
    public void Compare_SmallDays_AlertOnlyFromTheMinimumAmount(double gap, bool exceeds)
    {
        var day = UnmeteredUsage.Compare("acct", Day, [Api("large", 0.9m + (decimal)gap, 100_000), Proxy("large", 0.9m, 50_000)], [], Rules);

        Assert.Equal(exceeds, day.Exceeds);
    }

    [Fact]
    public void Compare_ProxyMeteredMore_NothingUnmetered()
    {
        var day = UnmeteredUsage.Compare("acct", Day, [Api("large", 4m, 200_000), Proxy("large", 5m, 250_000)], [], Rules);

        Assert.Equal((0L, false), (day.Unmetered, day.Exceeds));
    }

    [Fact]
    public void Compare_ProviderReportsAKeyTheProxyNeverSaw_NamesIt()
    {
        ApiKeyInfo[] keys =
        [
            new() { KeyId = "key_ci", Name = "ci-pipeline", Workspace = "proj_a", LastFour = "ZZZZ" },
            new() { KeyId = "key_dev", Name = "dev", Workspace = "proj_a", LastFour = "AAAA" }, // the proxy's key (same last four)
            new() { KeyId = "key_old" }, // no last four: cannot tell
        ];
        var day = UnmeteredUsage.Compare(
            "acct", Day,
            [Api("large", 6m, 300_000, "key_ci"), Api("large", 4m, 200_000, "key_dev"), Api("large", 1m, 50_000, "key_old"), Proxy("large", 4m, 200_000)],
            keys, Rules);

        var unseen = Assert.Single(day.Keys);
        Assert.Equal(("key_ci", 6_000_000L), (unseen.Key.KeyId, unseen.CostMicros!.Value));

        var alert = UnmeteredAlert.Compose(day);
        Assert.Equal(("key_ci", "proj_a"), (alert.KeyId, alert.Workspace));
        Assert.Equal("anomaly:acct:proj_a:key_ci:", alert.CooldownKey);
        Assert.Contains("key ci-pipeline (key_ci), ...ZZZZ", alert.Title, StringComparison.Ordinal);
        Assert.Equal("EUR 6.00, 300,000 tokens", Assert.Single(alert.Evidence.Breakdowns[1].Rows).Value);
    }

    [Fact]
    public void Compose_Day_OneAlertPerAccountAndDayWithTheModelsAndAmounts()
    {
        var day = UnmeteredUsage.Compare(
            "mistral-prod", Day, [Api("large", 10m, 500_000), Api("small", 2m, 900_000), Proxy("large", 4m, 200_000), Proxy("small", 2m, 900_000)], [], Rules);

        var alert = UnmeteredAlert.Compose(day);

        Assert.Equal(AlertKind.UnmeteredUsage, alert.Kind);
        Assert.Equal("unmetered_usage:mistral-prod:2026-11-21", alert.DedupKey);
        Assert.Equal("[Unmetered] mistral-prod 2026-11-21: EUR 6.00 of EUR 12.00 (50 %) did not go through the proxy", alert.Title);
        Assert.Null(alert.KeyId);
        Assert.Null(alert.CooldownKey);
        Assert.Equal(Day, alert.OccurredAt);
        Assert.Equal("EUR 6.00 (EUR 10.00 reported, EUR 4.00 metered)", Assert.Single(alert.Evidence.Breakdowns[0].Rows, r => r.Label == "large").Value);
        Assert.DoesNotContain(alert.Evidence.Breakdowns[0].Rows, r => r.Label == "small");
        Assert.Contains(alert.Evidence.Facts, f => f.Label == "Metered by the proxy" && f.Value == "EUR 6.00");
    }
}
