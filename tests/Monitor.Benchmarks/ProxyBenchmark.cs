using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Monitor.Demo;
using Monitor.Hosting;
using Monitor.Proxy;
using static System.FormattableString;

namespace Monitor.Benchmarks;

/// <summary>
/// The metering proxy against the demo's fake Mistral on 127.0.0.1, in one process with its clients (2 shared cores):
/// <list type="number">
/// <item>added latency at 64 concurrent clients: each client alternates a direct call and a proxied one, so both see
/// the same load; p50 and p99 of each, paced (64 clients sharing <see cref="PacedRate"/> calls/s) and saturated
/// (every client calls as fast as it can);</item>
/// <item>streaming time to first byte, direct and proxied (one stream at a time; the fake spaces chunks by 5 ms);</item>
/// <item>small calls per second through the proxy, saturated, 64 clients;</item>
/// <item>memory over 200,000 proxied calls: working set and managed heap (after a full GC) at 20,000 and at 200,000.</item>
/// </list>
/// The proxy meters every call and commits to a real SQLite ledger every second, as in production.
/// </summary>
public static class ProxyBenchmark
{
    public const int Clients = 64;
    public const int PacedRate = 1_000;

    private const string Account = "bench-mistral";
    private const string Body = """{"model":"mistral-small-2603","messages":[{"role":"user","content":"Complete this line of code."}],"max_tokens":8}""";
    private const string StreamBody = """{"model":"mistral-small-2603","messages":[{"role":"user","content":"Complete this line of code."}],"stream":true}""";

    public static async Task RunAsync(int memoryCalls, CancellationToken ct)
    {
        using var ledger = await BenchLedger.CreateAsync(ct);
        var key = "bench-" + Guid.NewGuid().ToString("N");
        await using var server = await FakeProviderServer.StartAsync(DemoScenario.Create(TimeProvider.System.GetUtcNow(), 7), key, ct);
        var keys = Enumerable.Range(0, Clients).Select(i => $"sk-bench-{i:D2}-" + Guid.NewGuid().ToString("N")).ToArray();
        foreach (var k in keys)
            server.Inference.Accept(k);

        await using var app = await StartProxyAsync(server, ledger.Settings, ct);

        using var client = new HttpMessageInvoker(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 1024, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) });
        var direct = new Uri(server.MistralBaseUrl + "/v1/chat/completions");
        var proxied = new Uri(app.Urls.First() + $"/proxy/{Account}/v1/chat/completions");

        Console.WriteLine(Invariant($"proxy: load average before the run {LoadAverage()} (the machine is shared); warming up ..."));
        await LoadAsync(client, keys, [direct, proxied], TimeSpan.FromSeconds(3), null, ct);

        foreach (var (name, rate) in new[] { ("paced", (int?)PacedRate), ("saturated", null) })
        {
            var samples = await LoadAsync(client, keys, [direct, proxied], TimeSpan.FromSeconds(8), rate, ct);
            var d = Percentiles(samples[0]);
            var p = Percentiles(samples[1]);
            Console.WriteLine(Invariant($"  latency, {Clients} clients, {name}{(rate is { } r ? $" at {r:N0} calls/s" : "")}: {samples[0].Count + samples[1].Count:N0} calls"));
            Console.WriteLine(Invariant($"    direct   p50 {d.P50,7:F3} ms   p99 {d.P99,7:F3} ms"));
            Console.WriteLine(Invariant($"    proxied  p50 {p.P50,7:F3} ms   p99 {p.P99,7:F3} ms"));
            Console.WriteLine(Invariant($"    added    p50 {p.P50 - d.P50,7:F3} ms   p99 {p.P99 - d.P99,7:F3} ms   (targets: p50 < 0.5 ms, p99 < 2 ms)"));
        }

        var (directFirstByte, proxiedFirstByte) = await FirstByteAsync(client, keys[0], direct, proxied, 100, ct);
        Console.WriteLine(Invariant($"  streaming time to first byte (median of 100): direct {directFirstByte:F3} ms, proxied {proxiedFirstByte:F3} ms, added {proxiedFirstByte - directFirstByte:F3} ms (target < 1 ms)"));

        foreach (var (name, url) in new[] { ("direct", direct), ("proxied", proxied) })
        {
            var rate = await ThroughputAsync(client, keys, url, TimeSpan.FromSeconds(8), ct);
            Console.WriteLine(Invariant($"  small calls per second, {name}, {Clients} clients: {rate:N0}{(name == "proxied" ? " (target >= 5,000)" : "")}"));
        }

        var (early, late) = await MemoryAsync(client, server, keys, proxied, memoryCalls, ct);
        Console.WriteLine(Invariant($"  memory over {memoryCalls:N0} proxied calls: working set {Mb(early.WorkingSet)} -> {Mb(late.WorkingSet)} MB ({Change(early.WorkingSet, late.WorkingSet)}), managed heap after GC {Mb(early.Managed)} -> {Mb(late.Managed)} MB ({Change(early.Managed, late.Managed)}) (target: within 10 %)"));
        await app.StopAsync(ct);
        var committed = await ledger.Database.OpenAsync(ct) is var c ? await Dapper.SqlMapper.ExecuteScalarAsync<long>(c, "SELECT SUM(requests) FROM usage_records WHERE source = 'proxy'") : 0;
        await c.DisposeAsync();
        Console.WriteLine(Invariant($"  metered calls committed to the ledger: {committed:N0}; load average after the run {LoadAverage()}"));
    }

    /// <summary>
    /// Clustered mode's proxy: saturated small calls per second through one node, then through two nodes (the 64
    /// clients split between them), each node a host of its own on one PostgreSQL ledger, in this process on the same
    /// cores; then the calls the ledger holds against the calls answered (none lost, none doubled).
    /// </summary>
    public static async Task ClusterAsync(string postgres, CancellationToken ct)
    {
        Console.WriteLine("  metered proxy on PostgreSQL: one node, then two nodes on one ledger (same process, same cores) ...");
        foreach (var nodes in new[] { 1, 2 })
        {
            using var ledger = await BenchLedger.CreateAsync(ct, postgres);
            var key = "bench-" + Guid.NewGuid().ToString("N");
            await using var server = await FakeProviderServer.StartAsync(DemoScenario.Create(TimeProvider.System.GetUtcNow(), 7), key, ct);
            var keys = Enumerable.Range(0, Clients).Select(i => $"sk-bench-{i:D2}-" + Guid.NewGuid().ToString("N")).ToArray();
            foreach (var k in keys)
                server.Inference.Accept(k);
            var apps = new List<WebApplication>();
            for (var n = 0; n < nodes; n++)
                apps.Add(await StartProxyAsync(server, ledger.Settings, ct));
            try
            {
                using var client = new HttpMessageInvoker(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 1024 });
                var urls = apps.Select(a => new Uri(a.Urls.First() + $"/proxy/{Account}/v1/chat/completions")).ToArray();
                await LoadAsync(client, keys, urls, TimeSpan.FromSeconds(2), null, ct); // warm-up
                var samples = await LoadAsync(client, keys, urls, TimeSpan.FromSeconds(8), null, ct);
                var calls = samples.Sum(x => x.Count);
                foreach (var app in apps)
                    await app.StopAsync(ct); // each node commits what it metered
                await using var c = await ledger.Database.OpenAsync(ct);
                var committed = await Dapper.SqlMapper.ExecuteScalarAsync<long>(c, "SELECT CAST(COALESCE(SUM(requests), 0) AS BIGINT) FROM usage_records WHERE source = 'proxy'");
                var answered = server.Inference.Requests;
                Console.WriteLine(Invariant($"    {nodes} node(s): {calls / 8.0:N0} calls/s, {Clients} clients; metered in the ledger {committed:N0} of {answered:N0} calls answered (warm-up included)"));
            }
            finally
            {
                foreach (var app in apps)
                    await app.DisposeAsync();
            }
        }
    }

    private static async Task<WebApplication> StartProxyAsync(FakeProviderServer server, IReadOnlyDictionary<string, string?> storage, CancellationToken ct)
    {
        var settings = new Dictionary<string, string?>(storage)
        {
            ["Monitor:Providers:0:Name"] = Account,
            ["Monitor:Providers:0:Kind"] = "Mistral",
            ["Monitor:Providers:0:BaseUrl"] = server.MistralBaseUrl.ToString(),
            ["Monitor:Providers:0:Currency"] = "EUR",
            ["Monitor:Providers:0:Proxy:Enabled"] = "true",
        };
        var configuration = MonitorSettings.Build(null, settings);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddMonitorCore(configuration).AddMonitorProxy();
        var app = builder.Build();
        app.MapMonitorProxy();
        await app.StartAsync(ct);
        return app;
    }

    /// <summary>Each client alternates between the URLs; returns the latencies (ms) per URL.</summary>
    private static async Task<List<double>[]> LoadAsync(HttpMessageInvoker client, string[] keys, Uri[] urls, TimeSpan duration, int? rate, CancellationToken ct)
    {
        var samples = urls.Select(_ => new List<double>()).ToArray();
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var interval = rate is { } r ? TimeSpan.FromSeconds((double)Clients / r) : TimeSpan.Zero;
        var tasks = Enumerable.Range(0, Clients).Select(async i =>
        {
            var mine = urls.Select(_ => new List<double>()).ToArray();
            var next = Stopwatch.GetTimestamp() + (long)(interval.TotalSeconds * Stopwatch.Frequency * i / Clients);
            var call = i;
            while (Stopwatch.GetTimestamp() < end)
            {
                if (rate is not null)
                {
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
                    if (wait > TimeSpan.Zero)
                        await Task.Delay(wait, ct);
                    next += (long)(interval.TotalSeconds * Stopwatch.Frequency);
                }

                var u = call++ % urls.Length;
                var started = Stopwatch.GetTimestamp();
                await CallAsync(client, urls[u], keys[i], Body, ct);
                mine[u].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            return mine;
        }).ToArray();
        foreach (var mine in await Task.WhenAll(tasks))
        {
            for (var u = 0; u < urls.Length; u++)
                samples[u].AddRange(mine[u]);
        }

        return samples;
    }

    private static async Task<double> ThroughputAsync(HttpMessageInvoker client, string[] keys, Uri url, TimeSpan duration, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var samples = await LoadAsync(client, keys, [url], duration, null, ct);
        return samples[0].Count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static async Task<(double Direct, double Proxied)> FirstByteAsync(HttpMessageInvoker client, string key, Uri direct, Uri proxied, int count, CancellationToken ct)
    {
        var times = new[] { new List<double>(), new List<double>() };
        for (var i = 0; i < count * 2; i++)
        {
            var u = i % 2;
            using var request = Request(u == 0 ? direct : proxied, key, StreamBody);
            request.Headers.Add(FakeInferenceEndpoints.DelayHeader, "5");
            var started = Stopwatch.GetTimestamp();
            using var response = await client.SendAsync(request, ct);
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new byte[8192];
            _ = await body.ReadAsync(buffer, ct);
            times[u].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            while (await body.ReadAsync(buffer, ct) > 0)
            {
            }
        }

        return (Percentiles(times[0]).P50, Percentiles(times[1]).P50);
    }

    private static async Task<((long WorkingSet, long Managed) Early, (long WorkingSet, long Managed) Late)> MemoryAsync(
        HttpMessageInvoker client, FakeProviderServer server, string[] keys, Uri url, int calls, CancellationToken ct)
    {
        var early = (0L, 0L);
        var done = 0;
        var mark = calls / 10;
        var tasks = Enumerable.Range(0, Clients).Select(async i =>
        {
            while (true)
            {
                var n = Interlocked.Increment(ref done);
                if (n > calls)
                    return;
                if (n == mark)
                {
                    server.Faults.Log.Clear(); // the fake's own request log is not the proxy's memory
                    early = Measure();
                }
                await CallAsync(client, url, keys[i], Body, ct);
            }
        });
        await Task.WhenAll(tasks);
        await Task.Delay(ProxyLedgerWriter.Interval * 2, ct); // the meter's flush of the last second
        server.Faults.Log.Clear();
        return (early, Measure());
    }

    private static (long WorkingSet, long Managed) Measure()
    {
        var managed = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        return (process.WorkingSet64, managed);
    }

    private static async Task CallAsync(HttpMessageInvoker client, Uri url, string key, string body, CancellationToken ct)
    {
        using var request = Request(url, key, body);
        using var response = await client.SendAsync(request, ct);
        await response.Content.CopyToAsync(Stream.Null, ct);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new InvalidOperationException($"{url} answered {(int)response.StatusCode}");
    }

    private static HttpRequestMessage Request(Uri url, string key, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    private static (double P50, double P99) Percentiles(List<double> samples)
    {
        var sorted = samples.Order().ToArray();
        return sorted.Length == 0 ? (0, 0) : (sorted[(int)(sorted.Length * 0.50)], sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * 0.99))]);
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string Mb(long bytes) => (bytes / 1048576.0).ToString("F0", System.Globalization.CultureInfo.InvariantCulture);

    private static string Change(long from, long to) => ((to - from) * 100.0 / from).ToString("+0.0;-0.0", System.Globalization.CultureInfo.InvariantCulture) + " %";
}
