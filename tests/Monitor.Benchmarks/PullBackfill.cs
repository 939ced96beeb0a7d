using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Monitor.Demo;
using Monitor.Hosting;
using Monitor.Jobs;

namespace Monitor.Benchmarks;

/// <summary>
/// Figure 4: an OpenAI-format hourly backfill from the demo's fake server through the real pull path (connector,
/// resilient HTTP, paging, ledger), wired as tests/Monitor.Tests/Support/PullHarness.cs wires it.
/// </summary>
public static class PullBackfill
{
    public sealed record Result(long Records, TimeSpan Elapsed, int Requests)
    {
        public double RecordsPerSecond => Records / Elapsed.TotalSeconds;
    }

    public static async Task<Result> RunAsync(int days, CancellationToken ct)
    {
        using var ledger = await BenchLedger.CreateAsync(ct);
        var now = TimeProvider.System.GetUtcNow();
        var key = "bench-" + Guid.NewGuid().ToString("N");
        var variable = "MONITOR_BENCH_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, key);
        try
        {
            await using var server = await FakeProviderServer.StartAsync(DemoScenario.Create(now, days), key, ct);
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Monitor:Storage:Sqlite:Path"] = ledger.Path,
                ["Monitor:Pull:InitialBackfill"] = TimeSpan.FromDays(days + 1).ToString(),
                ["Monitor:Providers:0:Name"] = "openai-bench",
                ["Monitor:Providers:0:Kind"] = "OpenAI",
                ["Monitor:Providers:0:BaseUrl"] = server.OpenAIBaseUrl.ToString(),
                ["Monitor:Providers:0:ApiKeyEnv"] = variable,
            }).Build();
            await using var services = new ServiceCollection()
                .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
                .AddMonitorCore(configuration)
                .BuildServiceProvider();

            var watch = Stopwatch.StartNew();
            var results = await services.GetRequiredService<PullService>().PullAllAsync("openai-bench", null, null, null, ct);
            watch.Stop();
            var failed = results.FirstOrDefault(r => r.Error is not null);
            if (failed is not null)
                throw new InvalidOperationException($"pull of {failed.Account} failed: {failed.Error}");
            return new Result(results.Sum(r => r.Records), watch.Elapsed, server.RequestCount);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }
}
