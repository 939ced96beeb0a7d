using System.Diagnostics;
using System.Net.Http.Headers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitor.Hosting;
using Monitor.Jobs;
using Monitor.Providers;

namespace Monitor.Benchmarks;

/// <summary>
/// Figure 5: a year of hourly OpenAI-format usage (keys x models x hours) backfilled from <see cref="YearOfUsageServer"/>
/// into a fresh SQLite ledger through the real <see cref="PullService"/> (wired as <see cref="PullBackfill"/> wires it),
/// with the time split into what the fake server and loopback cost, what our parsing and mapping cost, and what the
/// ledger writes cost. Three passes over the same requests:
/// (b) the connector alone, <c>PullUsageAsync</c> chunk by chunk, nothing written, recording every URL it GETs;
/// (a) those URLs replayed on a plain <see cref="HttpClient"/>, bodies read and thrown away, nothing parsed;
/// (c) the full pull, timed, with its peak memory.
/// Parse+map is (b) - (a); writing is (c) - (b).
/// </summary>
public static class YearBackfill
{
    public sealed record Result(
        int Keys, int Models, int Days, long Records, TimeSpan Elapsed, long PeakWorkingSet, long PeakManaged,
        TimeSpan Fetch, TimeSpan Connector, int Requests, long ResponseBytes, bool SameRequests)
    {
        public double RecordsPerSecond => Records / Elapsed.TotalSeconds;
        public TimeSpan ParseMap => Connector - Fetch;
        public TimeSpan Write => Elapsed - Connector;
        public double ParseMapShare => ParseMap / Elapsed;
    }

    public static async Task<Result> RunAsync(int keys, int models, int days, IProgress<string>? progress, CancellationToken ct)
    {
        using var ledger = await BenchLedger.CreateAsync(ct);
        var key = "bench-" + Guid.NewGuid().ToString("N");
        var variable = "MONITOR_BENCH_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, key);
        try
        {
            await using var server = await YearOfUsageServer.StartAsync(keys, models, days, TimeProvider.System.GetUtcNow(), key, ct);
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Monitor:Storage:Sqlite:Path"] = ledger.Path,
                ["Monitor:Pull:InitialBackfill"] = TimeSpan.FromDays(days + 1).ToString(),
                ["Monitor:Providers:0:Name"] = "openai-year",
                ["Monitor:Providers:0:Kind"] = "OpenAI",
                ["Monitor:Providers:0:BaseUrl"] = server.BaseUrl.ToString(),
                ["Monitor:Providers:0:ApiKeyEnv"] = variable,
            }).Build();
            var requests = new RequestLog();
            var services = new ServiceCollection()
                .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
                .AddMonitorCore(configuration);
            // Innermost on the providers' client, under the resilience handler: sees every attempt's URL.
            services.AddHttpClient(ConnectorFactory.HttpClientName).AddHttpMessageHandler(() => new RecordingHandler(requests));
            await using var provider = services.BuildServiceProvider();

            // (b) the connector alone, over the window and chunks the first pull computes.
            var options = provider.GetRequiredService<IOptions<MonitorOptions>>().Value;
            var account = options.Providers.Single();
            var connector = provider.GetRequiredService<ConnectorFactory>().Create(account);
            var now = TimeProvider.System.GetUtcNow();
            var chunks = connector.Chunk(now - options.Pull.InitialBackfill - options.Pull.LookBack, now, options.Pull.ChunkSize);

            // Warm-up, untimed: the last full day through the connector and as bytes, so no pass pays for the JIT.
            var day = server.DataEnd.AddDays(-1);
            await connector.PullUsageAsync(day, day.AddDays(1), ct);
            await FetchAsync(requests.Take(), key, ct);

            progress?.Report($"(b) connector only: inventory and {chunks.Count} chunks of {options.Pull.ChunkSize.TotalDays:0} days, parsed and mapped, not written ...");
            Collect();
            var watch = Stopwatch.StartNew();
            await connector.PullInventoryAsync(ct);
            long mapped = 0;
            foreach (var (from, to) in chunks)
                mapped += (await connector.PullUsageAsync(from, to, ct)).Records.Count;
            var connectorTime = watch.Elapsed;
            var urls = requests.Take();

            // (a) the same GETs, bodies read to bytes and dropped.
            progress?.Report($"(a) fetch only: {urls.Count} GETs replayed, bodies read without parsing ...");
            Collect();
            var (fetchTime, bytes) = await FetchAsync(urls, key, ct);

            // (c) the full pull into the fresh ledger.
            progress?.Report("(c) full pull through PullService into SQLite ...");
            Collect();
            using var sampler = new MemorySampler();
            watch.Restart();
            var results = await provider.GetRequiredService<PullService>().PullAllAsync(account.Name, null, null, null, ct);
            watch.Stop();
            sampler.Stop();
            var failed = results.FirstOrDefault(r => r.Error is not null);
            if (failed is not null)
                throw new InvalidOperationException($"pull of {failed.Account} failed: {failed.Error}");
            var records = results.Sum(r => r.Records);
            if (records != mapped || records != server.Rows)
                progress?.Report($"note: the full pull wrote {records:N0} records, the connector alone mapped {mapped:N0}, the server holds {server.Rows:N0}");

            return new Result(keys, models, days, records, watch.Elapsed, sampler.PeakWorkingSet, sampler.PeakManaged,
                fetchTime, connectorTime, urls.Count, bytes, urls.SequenceEqual(requests.Take()));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    private static async Task<(TimeSpan Elapsed, long Bytes)> FetchAsync(IReadOnlyList<Uri> urls, string key, CancellationToken ct)
    {
        using var client = new HttpClient(new SocketsHttpHandler()) { Timeout = Timeout.InfiniteTimeSpan };
        var buffer = new byte[64 * 1024];
        long bytes = 0;
        var watch = Stopwatch.StartNew();
        foreach (var url in urls)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            int read;
            while ((read = await body.ReadAsync(buffer, ct)) > 0)
                bytes += read;
        }

        return (watch.Elapsed, bytes);
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>The URLs GET so far, in order.</summary>
    private sealed class RequestLog
    {
        private readonly Lock _gate = new();
        private List<Uri> _urls = [];

        public void Add(Uri url)
        {
            lock (_gate)
                _urls.Add(url);
        }

        /// <summary>The URLs so far; the log starts over.</summary>
        public List<Uri> Take()
        {
            lock (_gate)
            {
                var urls = _urls;
                _urls = [];
                return urls;
            }
        }
    }

    private sealed class RecordingHandler(RequestLog log) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            log.Add(request.RequestUri!);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
