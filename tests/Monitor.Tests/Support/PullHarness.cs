using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Monitor.Demo;
using Monitor.Hosting;
using Monitor.Jobs;

namespace Monitor.Tests.Support;

/// <summary>
/// The demo's fake Mistral and OpenAI on 127.0.0.1, and the product's real pull path (connectors, resilient HTTP,
/// ledger) pointed at them, on a temporary ledger and a fake clock set to the scenario's now.
/// </summary>
public sealed class PullHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 11, 22, 15, 30, 0, TimeSpan.Zero);

    private readonly ServiceProvider _services;

    private PullHarness(TempLedger ledger, DemoScenario scenario, FakeProviderServer server, ServiceProvider services, string keyVariable)
    {
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
    public PullService Pulls => _services.GetRequiredService<PullService>();

    public static async Task<PullHarness> StartAsync(int days = 30, string? keyOverride = null, string lookBack = "2.00:00:00")
    {
        var ledger = new TempLedger();
        ledger.Clock.SetUtcNow(Now);
        var scenario = DemoScenario.Create(Now, days);
        var key = "test-" + Guid.NewGuid().ToString("N");
        var variable = "MONITOR_TEST_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, keyOverride ?? key);
        var server = await FakeProviderServer.StartAsync(scenario, key, CancellationToken.None);

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Monitor:Storage:Sqlite:Path"] = ledger.Path,
            ["Monitor:Pull:InitialBackfill"] = TimeSpan.FromDays(days + 1).ToString(),
            ["Monitor:Pull:LookBack"] = lookBack,
            ["Monitor:Providers:0:Name"] = "mistral-test",
            ["Monitor:Providers:0:Kind"] = "Mistral",
            ["Monitor:Providers:0:BaseUrl"] = server.MistralBaseUrl.ToString(),
            ["Monitor:Providers:0:ApiKeyEnv"] = variable,
            ["Monitor:Providers:1:Name"] = "openai-test",
            ["Monitor:Providers:1:Kind"] = "OpenAI",
            ["Monitor:Providers:1:BaseUrl"] = server.OpenAIBaseUrl.ToString(),
            ["Monitor:Providers:1:ApiKeyEnv"] = variable,
        }).Build();
        var services = new ServiceCollection()
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddMonitorCore(configuration)
            .AddSingleton<TimeProvider>(ledger.Clock)
            .BuildServiceProvider();
        return new PullHarness(ledger, scenario, server, services, variable);
    }

    public async ValueTask DisposeAsync()
    {
        Environment.SetEnvironmentVariable(KeyVariable, null);
        await _services.DisposeAsync();
        await Server.DisposeAsync();
        Ledger.Dispose();
    }
}
