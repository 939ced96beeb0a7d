using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Monitor.Alerts;
using Monitor.Checks;
using Monitor.Core.Alerts;
using Monitor.Hosting;
using Monitor.Storage;
using Monitor.Tests.Support;

namespace Monitor.Tests.Checks;

/// <summary>
/// The fake providers and a ledger (a <see cref="PullHarness"/>), with the product's services built from the same
/// configuration so they can be thrown away and rebuilt on the same SQLite file: a restart. Each start prepares the
/// ledger as every verb does (migrations, usage sources, declared keys). Decisions are raised into
/// the alerts table by dedup key, as the check does, and the newly stored ones returned.
/// </summary>
internal sealed class LifecycleChecks : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings;
    private ServiceProvider _services;

    private LifecycleChecks(PullHarness harness, Dictionary<string, string?> settings)
    {
        Harness = harness;
        _settings = settings;
        _services = Build();
    }

    public PullHarness Harness { get; }
    public DateTimeOffset Now => Harness.Ledger.Clock.GetUtcNow();

    public static async Task<LifecycleChecks> StartAsync(
        (string Prefix, string Kind)[] accounts, IDictionary<string, string?>? settings = null, DateTimeOffset? clockStart = null,
        SqlDialect dialect = SqlDialect.Sqlite)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Monitor:Alerts:Email:To:0"] = "ops@example.com",
        };
        var harness = await PullHarness.StartAsync(accounts: accounts, settings: all, clockStart: clockStart, dialect: dialect);
        all = new Dictionary<string, string?>(harness.Settings)
        {
            ["Monitor:Alerts:Email:PickupDirectory"] = Path.Combine(harness.Ledger.Folder, "pickup"),
            ["Monitor:Pull:InitialBackfill"] = TimeSpan.FromDays(31).ToString(),
        };

        var checks = new LifecycleChecks(harness, all);
        await LedgerStartup.PrepareAsync(checks._services, CancellationToken.None);
        return checks;
    }

    public void Advance(TimeSpan by) => Harness.Ledger.Clock.Advance(by);

    public void SetNow(DateTimeOffset at) => Harness.Ledger.Clock.SetUtcNow(at);

    /// <summary>A new process on the same ledger file (started as every verb starts: <see cref="LedgerStartup"/>).</summary>
    public async Task RestartAsync()
    {
        await _services.DisposeAsync();
        _services = Build();
        await LedgerStartup.PrepareAsync(_services, CancellationToken.None);
    }

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public async Task PullAsync()
    {
        var results = await _services.GetRequiredService<Monitor.Jobs.PullService>().PullAllAsync(null, null, null, null, CancellationToken.None);
        Assert.All(results, r => Assert.True(r.Ok, r.Error));
    }

    public async Task<IReadOnlyList<AlertDecision>> EvaluateAsync<T>() where T : IAlertEvaluator =>
        await _services.GetServices<IAlertEvaluator>().OfType<T>().Single().EvaluateAsync(new CheckContext(Now, null), CancellationToken.None);

    public string Pickup => Path.Combine(Harness.Ledger.Folder, "pickup");

    /// <summary>The whole check (every evaluator, the raiser, the outbox to the pickup folder) at the clock's now.</summary>
    public Task<CheckResult> CheckAsync() => _services.GetRequiredService<CheckService>().RunAsync(Now, send: true, CancellationToken.None);

    /// <summary>Evaluates and stores the decisions by dedup key; returns those not stored before.</summary>
    public async Task<IReadOnlyList<AlertDecision>> RaiseAsync<T>() where T : IAlertEvaluator
    {
        var decisions = await EvaluateAsync<T>();
        var database = _services.GetRequiredService<Database>();
        await using var c = await database.OpenAsync(CancellationToken.None);
        await using var tx = await c.BeginTransactionAsync();
        var raised = new List<AlertDecision>();
        foreach (var d in decisions)
        {
            if (await AlertRepository.InsertAsync(c, tx, d, Now, AlertStatus.Open, "immediate", CancellationToken.None) is not null)
                raised.Add(d);
        }

        await tx.CommitAsync();
        return raised;
    }

    private ServiceProvider Build() => new ServiceCollection()
        .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
        .AddMonitorCore(new ConfigurationBuilder().AddInMemoryCollection(_settings).Build())
        .AddSingleton<TimeProvider>(Harness.Ledger.Clock)
        .BuildServiceProvider();

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Harness.DisposeAsync();
    }
}
