using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Monitor.Demo;
using Monitor.Tests.Support;
using Npgsql;

namespace Monitor.Tests.Cluster;

/// <summary>
/// Two real <c>monitor serve</c> processes on one throwaway PostgreSQL database, in front of the fake providers and a
/// real SMTP server: what clustered mode promises is checked on the processes a user would run.
/// </summary>
public sealed partial class ClusterNodes : IAsyncDisposable
{
    public const string ProxyAccount = "demo-mistral";

    private readonly List<Node> _nodes = [];
    private readonly string _folder;
    private readonly Dictionary<string, string> _environment;

    private ClusterNodes(string folder, string connectionString, string key, FakeProviderServer providers, SmtpServer smtp, Dictionary<string, string> environment)
    {
        _folder = folder;
        ConnectionString = connectionString;
        Key = key;
        Providers = providers;
        Smtp = smtp;
        _environment = environment;
    }

    public string ConnectionString { get; }
    public string Key { get; }
    public FakeProviderServer Providers { get; }
    public SmtpServer Smtp { get; }
    public IReadOnlyList<Node> Nodes => _nodes;

    /// <summary>One node: its process, its dashboard/proxy client and every line it wrote.</summary>
    public sealed class Node(string name, Process process, HttpClient client, ConcurrentQueue<string> lines)
    {
        public string Name { get; } = name;
        public Process Process { get; } = process;
        public HttpClient Client { get; } = client;
        public ConcurrentQueue<string> Lines { get; } = lines;
    }

    /// <summary>A job run as a node logged it (<c>Monitor.Jobs.JobRunLog</c>).</summary>
    public sealed record JobRun(string Node, string Job, long ScheduledMs, string Instance, bool Recovering);

    /// <param name="settings">Extra configuration (flat keys) laid over the cluster's own.</param>
    public static async Task<ClusterNodes> StartAsync(int nodes, Dictionary<string, object>? settings = null)
    {
        var folder = Directory.CreateTempSubdirectory("monitor-cluster-").FullName;
        var postgres = await PostgresServer.GetAsync();
        var connectionString = await postgres.CreateDatabaseAsync();
        var key = "fake-" + Guid.NewGuid().ToString("N");
        var providers = await FakeProviderServer.StartAsync(DemoScenario.Create(TimeProvider.System.GetUtcNow(), 7), key, CancellationToken.None);
        var smtp = await SmtpServer.StartAsync();
        var environment = new Dictionary<string, string>
        {
            ["MONITOR_POSTGRES"] = connectionString,
            ["MONITOR_TEST_KEY"] = key,
            ["MONITOR_TEST_PROJECT_KEY"] = FakeOpenAIEndpoints.ProjectKeyOf(key),
        };
        var config = new Dictionary<string, object>
        {
            ["Monitor:Storage:Provider"] = "Postgres",
            ["Monitor:Scheduler:CheckinInterval"] = "00:00:01",
            ["Monitor:Scheduler:CheckinMisfireThreshold"] = "00:00:03",
            ["Monitor:Pull:InitialBackfill"] = "8.00:00:00",
            ["Monitor:Pull:RetryBaseDelay"] = "00:00:00.050",
            ["Monitor:Alerts:CheckSchedule"] = "*/3 * * * * ?",
            ["Monitor:Providers:0:Name"] = ProxyAccount,
            ["Monitor:Providers:0:Kind"] = "Mistral",
            ["Monitor:Providers:0:BaseUrl"] = providers.MistralBaseUrl.ToString(),
            ["Monitor:Providers:0:ApiKeyEnv"] = "MONITOR_TEST_KEY",
            ["Monitor:Providers:0:ModelsApiKeyEnv"] = "MONITOR_TEST_KEY",
            ["Monitor:Providers:0:Currency"] = "EUR",
            ["Monitor:Providers:0:Schedule"] = "*/2 * * * * ?",
            ["Monitor:Providers:0:Proxy:Enabled"] = true,
            ["Monitor:Providers:1:Name"] = "demo-openai",
            ["Monitor:Providers:1:Kind"] = "OpenAI",
            ["Monitor:Providers:1:BaseUrl"] = providers.OpenAIBaseUrl.ToString(),
            ["Monitor:Providers:1:ApiKeyEnv"] = "MONITOR_TEST_KEY",
            ["Monitor:Providers:1:ModelsApiKeyEnv"] = "MONITOR_TEST_PROJECT_KEY",
            ["Monitor:Providers:1:Schedule"] = "1/2 * * * * ?",
            // Small budgets: their thresholds are crossed at the first check, so there is mail to send exactly once.
            ["Monitor:Budgets:0:Name"] = "mistral-month",
            ["Monitor:Budgets:0:Scope:Account"] = ProxyAccount,
            ["Monitor:Budgets:0:Amount"] = 1,
            ["Monitor:Budgets:0:Currency"] = "EUR",
            ["Monitor:Budgets:0:Period"] = "Month",
            ["Monitor:Budgets:1:Name"] = "openai-month",
            ["Monitor:Budgets:1:Scope:Account"] = "demo-openai",
            ["Monitor:Budgets:1:Amount"] = 1,
            ["Monitor:Budgets:1:Currency"] = "USD",
            ["Monitor:Budgets:1:Period"] = "Month",
            ["Logging:LogLevel:Monitor.Jobs.JobRunLog"] = "Debug",
        };
        foreach (var (k, v) in smtp.Settings())
            config[k] = v ?? "";
        foreach (var (k, v) in settings ?? [])
            config[k] = v is "{mistral}" ? providers.MistralBaseUrl.ToString() : v;
        // The SMTP credentials are in this process's environment: hand them to the nodes.
        foreach (var variable in new[] { "Monitor:Alerts:Email:Smtp:UserEnv", "Monitor:Alerts:Email:Smtp:PasswordEnv" })
        {
            var name = (string)config[variable];
            environment[name] = Environment.GetEnvironmentVariable(name)!;
        }

        await File.WriteAllTextAsync(Path.Combine(folder, "monitor.json"), Nest(config));
        var cluster = new ClusterNodes(folder, connectionString, key, providers, smtp, environment);
        for (var i = 0; i < nodes; i++)
            await cluster.StartNodeAsync();
        return cluster;
    }

    /// <summary>Starts one more node on its own port and waits until it serves.</summary>
    public async Task<Node> StartNodeAsync()
    {
        var port = FreePort();
        var name = "node" + (_nodes.Count + 1).ToString(CultureInfo.InvariantCulture);
        var environment = new Dictionary<string, string>(_environment) { ["Monitor__Dashboard__Urls"] = $"http://127.0.0.1:{port}" };
        var lines = new ConcurrentQueue<string>();
        var process = MonitorProcess.Start(_folder, environment, lines.Enqueue, "serve", "--config", "monitor.json");
        var node = new Node(name, process, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) }, lines);
        _nodes.Add(node);
        await WaitForHealthAsync(node);
        return node;
    }

    /// <summary>Waits until /healthz of every running node shows <paramref name="alive"/> nodes alive.</summary>
    public async Task WaitForAliveAsync(int alive, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        var last = "";
        while (clock.Elapsed < within)
        {
            var all = true;
            foreach (var node in _nodes.Where(n => !n.Process.HasExited))
            {
                last = await (await node.Client.GetAsync("/healthz")).Content.ReadAsStringAsync();
                all &= last.Contains($"cluster: {alive} of", StringComparison.Ordinal);
            }

            if (all)
                return;
            await Task.Delay(200);
        }

        Assert.Fail($"the cluster did not show {alive} nodes alive within {within}: {last}");
    }

    /// <summary>Waits until the outbox holds mail and every row is sent: the check only queues, the outbox job sends once a minute.</summary>
    public async Task WaitForOutboxSentAsync(TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        await using var pg = new NpgsqlConnection(ConnectionString);
        (long Queued, long Unsent) last = default;
        while (clock.Elapsed < within)
        {
            last = await pg.QuerySingleAsync<(long, long)>("SELECT COUNT(*), COUNT(*) FILTER (WHERE sent_at IS NULL) FROM outbox");
            if (last is { Queued: > 0, Unsent: 0 })
                return;
            await Task.Delay(500);
        }

        Assert.Fail($"the outbox was not sent within {within}: {last.Queued} queued, {last.Unsent} unsent");
    }

    public static async Task KillAsync(Node node)
    {
        node.Process.Kill(); // SIGKILL: no shutdown code runs
        await node.Process.WaitForExitAsync();
    }

    /// <summary>SIGTERM: a graceful stop (the proxy flushes, running jobs finish).</summary>
    public static async Task StopAsync(Node node)
    {
        if (node.Process.HasExited)
            return;
        using (var term = Process.Start("kill", ["-TERM", node.Process.Id.ToString(CultureInfo.InvariantCulture)]))
            await term.WaitForExitAsync();
        using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await node.Process.WaitForExitAsync(exit.Token);
    }

    /// <summary>Every job run every node logged.</summary>
    public IReadOnlyList<JobRun> JobRuns() =>
        [.. _nodes.SelectMany(n => n.Lines.Select(l => JobRunLine().Match(l)).Where(m => m.Success).Select(m => new JobRun(
            n.Name, m.Groups["job"].Value, long.Parse(m.Groups["ms"].Value, CultureInfo.InvariantCulture), m.Groups["node"].Value,
            bool.Parse(m.Groups["rec"].Value))))];

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            if (!node.Process.HasExited)
                node.Process.Kill();
            node.Client.Dispose();
            node.Process.Dispose();
        }

        await Providers.DisposeAsync();
        await Smtp.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans temp folders.
        }
    }

    private static async Task WaitForHealthAsync(Node node)
    {
        for (var i = 0; i < 600; i++)
        {
            Assert.False(node.Process.HasExited, $"{node.Name} exited at start: {string.Join('\n', node.Lines.TakeLast(40))}");
            try
            {
                using var response = await node.Client.GetAsync("/healthz");
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        Assert.Fail($"{node.Name} did not answer /healthz within 60 s: {string.Join('\n', node.Lines.TakeLast(40))}");
    }

    /// <summary>Flat <c>A:B:0:C</c> keys as the nested JSON a configuration file holds (indexes become arrays).</summary>
    private static string Nest(Dictionary<string, object> flat)
    {
        var root = new Dictionary<string, object>();
        foreach (var (key, value) in flat)
        {
            var parts = key.Split(':');
            object current = root;
            for (var i = 0; i < parts.Length; i++)
            {
                var last = i == parts.Length - 1;
                if (current is Dictionary<string, object> map)
                {
                    if (last)
                        map[parts[i]] = value;
                    else
                        current = map.TryGetValue(parts[i], out var child) ? child : map[parts[i]] = int.TryParse(parts[i + 1], out _) ? new List<object>() : new Dictionary<string, object>();
                }
                else if (current is List<object> list)
                {
                    var index = int.Parse(parts[i], CultureInfo.InvariantCulture);
                    while (list.Count <= index)
                        list.Add(new Dictionary<string, object>());
                    if (last)
                        list[index] = value;
                    else
                        current = list[index];
                }
            }
        }

        return JsonSerializer.Serialize(root);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"job run: (?<job>\S+) scheduled (?<ms>\d+) on node (?<node>\S+) recovering (?<rec>True|False)")]
    private static partial Regex JobRunLine();
}
