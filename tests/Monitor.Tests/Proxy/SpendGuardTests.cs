using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Monitor.Core.Keys;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Hosting;
using Monitor.Proxy;
using Monitor.Storage;
using Monitor.Tests.Dashboard;
using Monitor.Tests.Support;

namespace Monitor.Tests.Proxy;

/// <summary>
/// Enforced budgets at the proxy on a real SQLite ledger: a daily EUR 10 budget (Paris days) on an account that counts
/// its proxy, fed MeteredCalls the way the proxy reports them, reconciled with rows the proxy would have written.
/// </summary>
public sealed class SpendGuardTests : IAsyncDisposable
{
    private const string Account = "mistral-prod";
    private static readonly DateTimeOffset Ten = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero); // 11:00 in Paris
    private static readonly DateTimeOffset ParisMidnight = new(2026, 11, 22, 23, 0, 0, TimeSpan.Zero);
    private static readonly string Dev = KeyFingerprint.Of("sk-dev-laptop-key-AAAA");
    private static readonly string Ci = KeyFingerprint.Of("sk-ci-pipeline-key-ZZZZ");

    private readonly TempLedger _ledger = new(Ten);
    private readonly IConfigurationRoot _configuration;
    private ServiceProvider _services;

    public SpendGuardTests()
    {
        _configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Monitor:Storage:Sqlite:Path"] = _ledger.Path,
            ["Monitor:Providers:0:Name"] = Account,
            ["Monitor:Providers:0:Kind"] = "Mistral",
            ["Monitor:Providers:0:BaseUrl"] = "https://api.mistral.ai",
            ["Monitor:Providers:0:ApiKeyEnv"] = "MISTRAL_ADMIN_KEY",
            ["Monitor:Providers:0:UsageFrom"] = "Proxy",
            ["Monitor:Providers:0:Proxy:Enabled"] = "true",
            ["Monitor:Budgets:0:Name"] = "daily-cap",
            ["Monitor:Budgets:0:Scope:Account"] = Account,
            ["Monitor:Budgets:0:Amount"] = "10",
            ["Monitor:Budgets:0:Currency"] = "EUR",
            ["Monitor:Budgets:0:Period"] = "Day",
            ["Monitor:Budgets:0:TimeZone"] = "Europe/Paris",
            ["Monitor:Budgets:0:Enforce"] = "true",
        }).Build();
        _services = Build();
    }

    private SpendGuard Guard => _services.GetRequiredService<SpendGuard>();

    private ServiceProvider Build() => new ServiceCollection()
        .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
        .AddMonitorCore(_configuration)
        .AddSingleton<TimeProvider>(_ledger.Clock)
        .BuildServiceProvider();

    private async Task StartAsync()
    {
        await LedgerStartup.PrepareAsync(_services, CancellationToken.None);
        await Guard.ReconcileAsync(CancellationToken.None);
    }

    private MeteredCall Call(decimal? cost, string key = "", Currency currency = Currency.EUR, string model = "mistral-large-2411") => new()
    {
        Account = Account, KeyFingerprint = key.Length == 0 ? Dev : key, Model = model, At = _ledger.Clock.GetUtcNow(), Status = 200,
        Tokens = new TokenCounts(10_000, 0, 0, 2_000, 0), Cost = cost, Currency = currency,
    };

    /// <summary>What the proxy writes within a second: the minute bucket of a key and model.</summary>
    private async Task MeteredRowAsync(DateTimeOffset minute, decimal cost, string key = "", RecordSource source = RecordSource.Proxy, string keyId = "")
    {
        var fingerprint = key.Length == 0 ? Dev : key;
        await using var tx = await LedgerTransaction.BeginAsync(_ledger.Database, "proxy", Account, "test", _ledger.Clock.GetUtcNow(), CancellationToken.None);
        tx.Upsert(new UsageRecord
        {
            Account = Account, Provider = ProviderKind.Mistral, KeyId = source == RecordSource.Proxy ? fingerprint : keyId,
            KeyFingerprint = source == RecordSource.Proxy ? fingerprint : null, Model = "mistral-large-2411", BucketStart = minute,
            BucketWidth = source == RecordSource.Proxy ? BucketWidth.Minute : BucketWidth.Hour, Tokens = new TokenCounts(10_000, 0, 0, 2_000, 0),
            Requests = 1, Cost = cost, Currency = Currency.EUR, CostSource = CostSource.Estimated, Source = source,
        });
        await tx.CommitAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Check_CrossingRequestPasses_TheNextIsRefusedUntilThePeriodEnds()
    {
        await StartAsync();
        var passed = 0;
        for (var i = 0; i < 4; i++)
        {
            Assert.Null(Guard.Check(Account, Dev, "mistral-large-latest")); // decided before forwarding
            passed++;
            Guard.Record(Call(3m)); // metered after the answer: 3, 6, 9, then 12 of 10
            _ledger.Clock.Advance(TimeSpan.FromSeconds(5));
        }

        var refused = Guard.Check(Account, Dev, "mistral-large-latest");
        var other = Guard.Check(Account, Ci, null);
        _ledger.Clock.Advance(ParisMidnight - _ledger.Clock.GetUtcNow() - TimeSpan.FromSeconds(1));
        var lastSecond = Guard.Check(Account, Dev, "mistral-large-latest");
        _ledger.Clock.Advance(TimeSpan.FromSeconds(1));
        var nextDay = Guard.Check(Account, Dev, "mistral-large-latest");

        Assert.Equal(4, passed);
        Assert.NotNull(refused);
        Assert.Equal("daily-cap", refused.Budget);
        Assert.Contains("EUR 12.00 of EUR 10.00", refused.Message, StringComparison.Ordinal);
        Assert.Contains("until 2026-11-23 00:00 Europe/Paris", refused.Message, StringComparison.Ordinal);
        Assert.Same(refused, other); // every caller in the scope, one refusal object
        Assert.NotNull(lastSecond);
        Assert.Null(nextDay);
    }

    [Fact]
    public async Task Check_AfterARestart_RefusesFromWhatTheLedgerHolds()
    {
        await StartAsync();
        Guard.Record(Call(11m));
        await MeteredRowAsync(Ten, 11m); // the proxy's flush of that minute
        Assert.NotNull(Guard.Check(Account, Dev, null));

        await _services.DisposeAsync();
        _ledger.Clock.Advance(TimeSpan.FromSeconds(30));
        _services = Build();
        await StartAsync();

        Assert.NotNull(Guard.Check(Account, Dev, null));
        Assert.Equal(11m, Guard.Status.Single().Spent);
    }

    [Fact]
    public async Task Reconcile_MinutesHandedToTheLedger_AreCountedOnce()
    {
        await StartAsync();
        Guard.Record(Call(4m));
        await MeteredRowAsync(Ten, 4m);
        await Guard.ReconcileAsync(CancellationToken.None); // the cutoff is still before 10:00: the call counts from memory
        var early = Guard.Status.Single().Spent;

        _ledger.Clock.Advance(TimeSpan.FromMinutes(3));
        await Guard.ReconcileAsync(CancellationToken.None); // 10:00 is now the ledger's
        var handedOver = Guard.Status.Single().Spent;
        Guard.Record(Call(5m));

        Assert.Equal((4m, 4m, 9m), (early, handedOver, Guard.Status.Single().Spent));
        Assert.Null(Guard.Check(Account, Dev, null));
    }

    [Fact]
    public async Task Check_LongStreamMeteredMinutesLater_RefusesTheNextCallAtOnce()
    {
        await StartAsync();
        var started = Call(12m); // a stream that began at 10:00
        _ledger.Clock.Advance(TimeSpan.FromMinutes(4));
        await Guard.ReconcileAsync(CancellationToken.None); // the cutoff passes 10:00 before the stream ends

        Guard.Record(started); // metered when it ends, at 10:04: its minute is already the ledger's part
        var next = Guard.Check(Account, Dev, null);
        await MeteredRowAsync(Ten, 12m); // the proxy's flush of its minute
        _ledger.Clock.Advance(TimeSpan.FromSeconds(5));
        await Guard.ReconcileAsync(CancellationToken.None); // the ledger holds it now: counted once

        Assert.NotNull(next);
        Assert.Equal(12m, Guard.Status.Single().Spent);
    }

    [Fact]
    public async Task Check_BudgetRaised_LetsCallsThroughUntilTheNewAmount()
    {
        await StartAsync();
        Guard.Record(Call(12m));
        var before = Guard.Check(Account, Dev, null);

        _configuration["Monitor:Budgets:0:Amount"] = "20";
        _configuration.Reload();
        var raised = Guard.Check(Account, Dev, null);
        Guard.Record(Call(8m));

        Assert.NotNull(before);
        Assert.Null(raised);
        Assert.Contains("EUR 20.00 of EUR 20.00", Guard.Check(Account, Dev, null)?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Record_AnotherCurrencyWithoutARate_IsNotAddedAndSaidSo()
    {
        await StartAsync();

        Guard.Record(Call(50m, currency: Currency.USD));

        Assert.Null(Guard.Check(Account, Dev, null));
        Assert.Equal((0m, 50m), (Guard.Status.Single().Spent, Guard.NotCounted("daily-cap", Currency.USD)));
    }

    [Fact]
    public async Task Record_AnotherCurrencyWithARate_IsConverted()
    {
        _configuration["Monitor:Pricing:ExchangeRates:0:From"] = "USD";
        _configuration["Monitor:Pricing:ExchangeRates:0:To"] = "EUR";
        _configuration["Monitor:Pricing:ExchangeRates:0:Rate"] = "0.9";
        _configuration["Monitor:Pricing:ExchangeRates:0:EffectiveFrom"] = "2026-01-01";
        await StartAsync();

        Guard.Record(Call(12m, currency: Currency.USD));

        Assert.Equal(10.8m, Guard.Status.Single().Spent);
        Assert.NotNull(Guard.Check(Account, Dev, null));
    }

    [Fact]
    public async Task Check_BudgetOnAListedKeyId_StopsOnlyTheCallerWithThatKey()
    {
        _configuration["Monitor:Budgets:0:Scope:KeyId"] = "key_ci";
        await using (var c = await _ledger.Database.OpenAsync(CancellationToken.None))
        await using (var tx = await c.BeginTransactionAsync())
        {
            await InventoryRepository.SaveKeysAsync(c, tx, Account, [new ApiKeyInfo { KeyId = "key_ci", Name = "ci", LastFour = "ZZZZ" }], Ten);
            await tx.CommitAsync();
        }

        await StartAsync();
        Guard.Record(Call(6m, key: Ci));
        await MeteredRowAsync(Ten, 6m, key: Ci);
        Guard.Record(Call(30m)); // the dev key is not in the scope
        _ledger.Clock.Advance(TimeSpan.FromMinutes(3));
        await Guard.ReconcileAsync(CancellationToken.None); // the ledger's CI minute is found through the key listing
        Guard.Record(Call(5m, key: Ci));

        Assert.Equal(11m, Guard.Status.Single().Spent);
        Assert.NotNull(Guard.Check(Account, Ci, null));
        Assert.Null(Guard.Check(Account, Dev, null));
    }

    [Fact]
    public async Task Reconcile_AccountCountingTheApi_AddsTheProxyMinutesSinceTheLastPull()
    {
        _configuration["Monitor:Providers:0:UsageFrom"] = "Api"; // read when the services first ask for the options
        await LedgerStartup.PrepareAsync(_services, CancellationToken.None);
        await MeteredRowAsync(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero), 7m, source: RecordSource.Api); // the bill up to the pull
        await MeteredRowAsync(new DateTimeOffset(2026, 11, 22, 8, 30, 0, TimeSpan.Zero), 2m); // metered before the pull: in the bill
        await LedgerSeed.PullRunAsync(_ledger.Database, Account, new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero), "ok");
        await MeteredRowAsync(new DateTimeOffset(2026, 11, 22, 9, 20, 0, TimeSpan.Zero), 2.5m); // since the pull: not in the bill yet

        await Guard.ReconcileAsync(CancellationToken.None);
        var spent = Guard.Status.Single().Spent;
        Guard.Record(Call(1m));

        Assert.Equal(9.5m, spent);
        Assert.NotNull(Guard.Check(Account, Dev, null));
    }

    [Fact]
    public async Task Check_KnownCaller_AllocatesNothing()
    {
        // The fake clock allocates on every read once timers wait on it; a stopped clock does not, like the system's.
        await using var services = new ServiceCollection()
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddMonitorCore(_configuration)
            .AddSingleton<TimeProvider>(new StoppedClock(Ten))
            .BuildServiceProvider();
        await LedgerStartup.PrepareAsync(services, CancellationToken.None);
        var guard = services.GetRequiredService<SpendGuard>();
        await guard.ReconcileAsync(CancellationToken.None);
        guard.Record(Call(12m));
        _ = guard.Check(Account, Dev, "mistral-large-latest"); // the callers' scope matches and the refusal are made once
        _ = guard.Check("codestral", Ci, "mistral-small-2603");
        // Warm: the runtime's one-off work (tiered compilation swapping in optimised code) is not the guard's allocation.
        for (var i = 0; i < 10_000; i++)
        {
            _ = guard.Check(Account, Dev, "mistral-large-latest");
            _ = guard.Check("codestral", Ci, "mistral-small-2603");
        }

        Thread.Sleep(500);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            _ = guard.Check(Account, Dev, "mistral-large-latest"); // refused
            _ = guard.Check("codestral", Ci, "mistral-small-2603"); // no budget in scope
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.NotNull(guard.Check(Account, Dev, "mistral-large-latest"));
        Assert.Null(guard.Check("codestral", Ci, "mistral-small-2603"));
    }

    [Fact]
    public async Task Check_NoEnforcedBudget_LetsEverythingThrough()
    {
        _configuration["Monitor:Budgets:0:Enforce"] = "false";
        await StartAsync();

        Guard.Record(Call(1_000m));

        Assert.Null(Guard.Check(Account, Dev, null));
        Assert.Empty(Guard.Status);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        _ledger.Dispose();
    }

    private sealed class StoppedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
