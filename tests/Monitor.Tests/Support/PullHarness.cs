using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Monitor.Demo;
using Monitor.Hosting;
using Monitor.Jobs;
using Monitor.Storage;

namespace Monitor.Tests.Support;

/// <summary>
/// The demo's fake providers on 127.0.0.1, and the product's real pull path (connectors, resilient HTTP, ledger)
/// pointed at them, on a temporary ledger and a fake clock set to the scenario's now. Accounts are named
/// <c>{prefix}-test</c> (mistral-test, openai-test, ...); retries wait 50 ms so fault tests stay fast.
/// </summary>
public sealed class PullHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 11, 22, 15, 30, 0, TimeSpan.Zero);

    /// <summary>The default accounts: (fake prefix, configured Kind).</summary>
    public static readonly (string Prefix, string Kind)[] MistralAndOpenAI = [("mistral", "Mistral"), ("openai", "OpenAI")];

    private readonly ServiceProvider _services;

    private PullHarness(
        TempLedger ledger, DemoScenario scenario, FakeProviderServer server, ServiceProvider services, string keyVariable,
        IReadOnlyDictionary<string, string?> settings)
    {
        Settings = settings;
        Ledger = ledger;
        Scenario = scenario;
        Server = server;
        _services = services;
        KeyVariable = keyVariable;
    }

    public TempLedger Ledger { get; }
    public DemoScenario Scenario { get; }
    public FakeProviderServer Server { get; }
    public string KeyVariable { get; }

    /// <summary>The configuration the harness' services were built from (ledger path, accounts on the fakes, ...).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; }
    public PullService Pulls => _services.GetRequiredService<PullService>();
    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    /// <param name="accounts">Which fake providers to configure, as (prefix, Kind); default Mistral and OpenAI.</param>
    /// <param name="settings">Extra configuration (e.g. <c>Monitor:Providers:0:Organization</c>).</param>
    /// <param name="clockStart">Where the fake clock starts (default <see cref="Now"/>); tests that poll over time start earlier.</param>
    /// <param name="dialect">The ledger's database: a SQLite file (default) or a PostgreSQL database of its own.</param>
    public static async Task<PullHarness> StartAsync(
        int days = 30, string? keyOverride = null, string lookBack = "2.00:00:00",
        (string Prefix, string Kind)[]? accounts = null, IDictionary<string, string?>? settings = null, DateTimeOffset? clockStart = null,
        SqlDialect dialect = SqlDialect.Sqlite)
    {
        var ledger = new TempLedger(clockStart ?? Now, dialect);
        var scenario = DemoScenario.Create(Now, days);
        var key = "test-" + Guid.NewGuid().ToString("N");
        var variable = "MONITOR_TEST_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, keyOverride ?? key);
        // OpenAI accounts list models with an ordinary project key (ModelsApiKeyEnv): the fake refuses the admin key there.
        var modelsVariable = variable + "_MODELS";
        Environment.SetEnvironmentVariable(modelsVariable, FakeOpenAIEndpoints.ProjectKeyOf(keyOverride ?? key));
        var server = await FakeProviderServer.StartAsync(scenario, key, CancellationToken.None);

        var values = new Dictionary<string, string?>(ledger.Settings)
        {
            ["Monitor:Pull:InitialBackfill"] = TimeSpan.FromDays(days + 1).ToString(),
            ["Monitor:Pull:LookBack"] = lookBack,
            ["Monitor:Pull:RetryBaseDelay"] = "00:00:00.050",
        };
        var list = accounts ?? MistralAndOpenAI;
        for (var i = 0; i < list.Length; i++)
        {
            values[$"Monitor:Providers:{i}:Name"] = list[i].Prefix + "-test";
            values[$"Monitor:Providers:{i}:Kind"] = list[i].Kind;
            values[$"Monitor:Providers:{i}:BaseUrl"] = server.BaseUrlOf(list[i].Prefix).ToString();
            values[$"Monitor:Providers:{i}:ApiKeyEnv"] = variable;
            values[$"Monitor:Providers:{i}:ModelsApiKeyEnv"] = list[i].Kind == "OpenAI" ? modelsVariable : variable; // OpenAI lists models with a project key
        }

        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
            values[k] = v;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection()
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddMonitorCore(configuration)
            .AddSingleton<TimeProvider>(ledger.Clock)
            .BuildServiceProvider();
        return new PullHarness(ledger, scenario, server, services, variable, values);
    }

    /// <summary>
    /// The contract of a rejected key: no usage and no watermark reached the ledger, the failure is recorded, and no
    /// recorded error holds <paramref name="secretPart"/> (a piece of the key the test configured).
    /// </summary>
    public async Task AssertRejectedWithoutTraceAsync(string secretPart)
    {
        Assert.Equal(0, await Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records"));
        Assert.Equal(0, await Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM watermarks"));
        var errors = await Ledger.QueryAsync<string>("SELECT error FROM pull_runs WHERE outcome = 'failed'");
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.DoesNotContain(secretPart, e, StringComparison.Ordinal));
    }

    public async ValueTask DisposeAsync()
    {
        Environment.SetEnvironmentVariable(KeyVariable, null);
        Environment.SetEnvironmentVariable(KeyVariable + "_MODELS", null);
        await _services.DisposeAsync();
        await Server.DisposeAsync();
        Ledger.Dispose();
    }
}
