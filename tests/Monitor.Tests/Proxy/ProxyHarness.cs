using System.Collections.Concurrent;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Monitor.Dashboard;
using Monitor.Demo;
using Monitor.Hosting;
using Monitor.Proxy;
using Monitor.Storage;
using Monitor.Tests.Support;

namespace Monitor.Tests.Proxy;

/// <summary>
/// The demo's fake providers on 127.0.0.1 and, in front of them, the monitor's real web host (proxy and dashboard)
/// on another random port, on a temporary ledger; both share one fake clock, so the proxy's minutes are the fake's.
/// Every log line the host writes, at every level, is kept in <see cref="Logs"/>. Accounts: mistral-p, codestral-p,
/// openai-p, compatible-p, anthropic-p, openrouter-p, kilo-p, all proxy-only (no admin key).
/// </summary>
public sealed class ProxyHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 22, 15, 30, 5, TimeSpan.Zero);

    public static readonly (string Account, string Kind, string Mount)[] Accounts =
    [
        ("mistral-p", "Mistral", "mistral"),
        ("codestral-p", "Codestral", "codestral"),
        ("openai-p", "OpenAI", "openai"),
        ("compatible-p", "OpenAICompatible", "compatible"),
        ("anthropic-p", "Anthropic", "anthropic"),
        ("openrouter-p", "OpenRouter", "openrouter"),
        ("kilo-p", "Kilo", "kilo"),
    ];

    private readonly WebApplication _app;

    private ProxyHarness(WebApplication app, TempLedger ledger, FakeProviderServer server, string serverKey, ConcurrentQueue<string> logs)
    {
        _app = app;
        Ledger = ledger;
        Server = server;
        ServerKey = serverKey;
        Logs = logs;
        Proxy = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(30) };
        Direct = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
    }

    public TempLedger Ledger { get; }
    public FakeTimeProvider Clock => Ledger.Clock;
    public FakeProviderServer Server { get; }

    /// <summary>The fake's own key (also accepted for inference).</summary>
    public string ServerKey { get; }

    public ConcurrentQueue<string> Logs { get; }

    /// <summary>A client of the monitor (base address: its root).</summary>
    public HttpClient Proxy { get; }

    /// <summary>A client for calling the fake directly.</summary>
    public HttpClient Direct { get; }

    public Uri ProxyRoot => Proxy.BaseAddress!;
    public T Get<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>The fake's URL of <paramref name="path"/> for an account, as a client calling it directly would use it.</summary>
    public Uri DirectUrl(string account, string path)
    {
        var mount = Accounts.Single(a => a.Account == account).Mount;
        var baseUrl = Server.BaseUrlOf(mount).ToString().TrimEnd('/');
        return new Uri(baseUrl + (mount == "kilo" ? "/api/gateway" : "") + path);
    }

    /// <param name="settings">Extra configuration laid over the accounts (e.g. a client token, dashboard auth).</param>
    /// <param name="services">Extra registrations (a spend guard).</param>
    public static async Task<ProxyHarness> StartAsync(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, string urls = "http://127.0.0.1:0")
    {
        var ledger = new TempLedger(Start);
        var serverKey = "fake-" + Guid.NewGuid().ToString("N");
        var server = await FakeProviderServer.StartAsync(DemoScenario.Create(Start, 7), serverKey, CancellationToken.None);
        server.Inference.Clock = ledger.Clock;
        var values = new Dictionary<string, string?>
        {
            ["Monitor:Storage:Sqlite:Path"] = ledger.Path,
            ["Monitor:Dashboard:Urls"] = urls,
        };
        for (var i = 0; i < Accounts.Length; i++)
        {
            var (account, kind, mount) = Accounts[i];
            values[$"Monitor:Providers:{i}:Name"] = account;
            values[$"Monitor:Providers:{i}:Kind"] = kind;
            values[$"Monitor:Providers:{i}:BaseUrl"] = server.BaseUrlOf(mount) + (mount == "openai" ? "/v1" : "");
            values[$"Monitor:Providers:{i}:Proxy:Enabled"] = "true";
            if (mount == "mistral")
                values[$"Monitor:Providers:{i}:Currency"] = "EUR";
        }

        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
            values[k] = v;
        var configuration = MonitorSettings.Build(null, values);
        var options = MonitorSettings.Bind(configuration);

        var logs = new ConcurrentQueue<string>();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddFilter(_ => true);
        builder.Logging.AddProvider(new CapturingLoggerProvider(logs));
        builder.WebHost.UseUrls(urls);
        builder.Services.AddMonitorCore(configuration).AddMonitorDashboard().AddMonitorProxy();
        builder.Services.AddSingleton<TimeProvider>(ledger.Clock);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapMonitorProxy();
        app.MapDashboard();
        await app.StartAsync();
        return new ProxyHarness(app, ledger, server, serverKey, logs);
    }

    /// <summary>A new developer key the fake accepts.</summary>
    public string NewKey(string prefix = "sk-dev-")
    {
        var key = prefix + Guid.NewGuid().ToString("N");
        Server.Inference.Accept(key);
        return key;
    }

    /// <summary>Commits what the proxy metered so far, as the writer does every second.</summary>
    public async Task FlushAsync() => Assert.True(await Get<ProxyLedgerWriter>().FlushAsync(CancellationToken.None));

    public async Task<List<LedgerRow>> ProxyRowsAsync(string account)
    {
        await using var c = await Ledger.Database.OpenAsync(CancellationToken.None);
        return [.. await c.QueryAsync<LedgerRow>(
            """
            SELECT key_id AS KeyId, key_fingerprint AS KeyFingerprint, model AS Model, category AS Category, bucket_start AS BucketStart,
                   bucket_width AS BucketWidth, input_tokens AS Input, cached_input_tokens AS CachedInput, cache_write_tokens AS CacheWrite,
                   output_tokens AS Output, reasoning_tokens AS Reasoning, requests AS Requests, units AS Units, unit AS Unit,
                   cost_micros AS CostMicros, currency AS Currency, cost_source AS CostSource, counted AS Counted, provider AS Provider
            FROM usage_records WHERE account = @account AND source = 'proxy' ORDER BY bucket_start, key_id, model
            """, new { account })];
    }

    public async ValueTask DisposeAsync()
    {
        Proxy.Dispose();
        Direct.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Server.DisposeAsync();
        Ledger.Dispose();
    }

    public sealed record LedgerRow
    {
        public string KeyId { get; init; } = "";
        public string? KeyFingerprint { get; init; }
        public string Model { get; init; } = "";
        public string Category { get; init; } = "";
        public long BucketStart { get; init; }
        public string BucketWidth { get; init; } = "";
        public long Input { get; init; }
        public long CachedInput { get; init; }
        public long CacheWrite { get; init; }
        public long Output { get; init; }
        public long Reasoning { get; init; }
        public long Requests { get; init; }
        public long Units { get; init; }
        public string Unit { get; init; } = "";
        public long? CostMicros { get; init; }
        public string Currency { get; init; } = "";
        public string CostSource { get; init; } = "";
        public long Counted { get; init; }
        public string Provider { get; init; } = "";
    }
}
