using Monitor.Core.Alerts;
using Monitor.Core.Deprecations;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;

namespace Monitor.Core.Tests.Deprecations;

public sealed class AliasAlertsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<string, (ProviderKind, Currency)> Accounts = new() { ["m"] = (ProviderKind.Mistral, Currency.USD) };
    private static readonly PriceCatalog Catalog = new(
    [
        new PriceEntry { Provider = ProviderKind.Mistral, Model = "mistral-large-2411", Currency = Currency.USD, EffectiveFrom = new(2024, 11, 18), InputPerMillion = 2m, OutputPerMillion = 6m },
        new PriceEntry { Provider = ProviderKind.Mistral, Model = "mistral-large-2512", Currency = Currency.USD, EffectiveFrom = new(2025, 12, 2), InputPerMillion = 0.5m, OutputPerMillion = 1.5m },
    ]);

    private static readonly AliasObservation[] History =
    [
        new("m", "mistral-large-latest", "mistral-large-2411", Now.AddDays(-20)),
        new("m", "mistral-large-latest", "mistral-large-2512", Now.AddDays(-2)),
    ];

    [Fact]
    public void Moves_AliasOfAUsedModelMoved_OneWarningWithPriceChange()
    {
        var used = new HashSet<(string, string)> { ("m", "mistral-large-2411") };

        var alert = Assert.Single(AliasAlerts.Moves(History, used, Accounts, Catalog, Now, TimeSpan.FromDays(30)));

        Assert.Equal(AlertKind.AliasMoved, alert.Kind);
        Assert.Equal($"alias_moved:m:mistral-large-latest:{Now.AddDays(-2).ToUnixTimeSeconds()}", alert.DedupKey);
        Assert.Equal("[Alias moved] mistral-large-latest now resolves to mistral-large-2512 (was mistral-large-2411) on m", alert.Title);
        Assert.Equal("input 2.00 -> 0.50 (-75%), output 6.00 -> 1.50 (-75%) USD per 1M tokens", alert.Evidence.Facts.Single(f => f.Label == "Price change").Value);
    }

    [Fact]
    public void Moves_NobodyCallsIt_OrNotMovedYet_Nothing()
    {
        Assert.Empty(AliasAlerts.Moves(History, new HashSet<(string, string)>(), Accounts, Catalog, Now, TimeSpan.FromDays(30)));
        Assert.Empty(AliasAlerts.Moves(History, new HashSet<(string, string)> { ("m", "mistral-large-2411") }, Accounts, Catalog, Now.AddDays(-3), TimeSpan.FromDays(30)));
    }

    [Fact]
    public void Advice_OncePerKeyPerMonth_KeyedByMonth()
    {
        AliasCall[] calls =
        [
            new("m", "ws", "key-1", "prod-backend", "mistral-large-latest", "mistral-large-2512", 500, 1.5m, Currency.USD),
            new("m", "ws", "key-1", "prod-backend", "mistral-small-latest", null, 900, 0.5m, Currency.USD),
        ];

        var alert = Assert.Single(AliasAlerts.Advice(calls, Now));

        Assert.Equal(AlertSeverity.Info, alert.Severity);
        Assert.Equal("alias_advice:m:key-1:2026-11", alert.DedupKey);
        Assert.Equal(["mistral-small-latest", "mistral-large-latest"], alert.Evidence.Breakdowns.Single().Rows.Select(r => r.Label));
        Assert.Equal("alias_advice:m:key-1:2026-12", AliasAlerts.Advice(calls, Now.AddDays(10)).Single().DedupKey);
    }
}
