using System.Diagnostics;
using System.Net;
using Dapper;
using Npgsql;
using Monitor.Tests.Support;
using static Monitor.Tests.Proxy.ProxyCalls;

namespace Monitor.Tests.Cluster;

/// <summary>
/// Clustered mode as it runs: two <c>monitor serve</c> processes on one PostgreSQL database. Triggers fire once across
/// the nodes, a node killed with SIGKILL has its work finished by the other without lost or doubled records or mail,
/// and proxy traffic spread over both nodes is metered exactly.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterProcessTests
{
    [Fact]
    public async Task TwoNodes_OneKilledMidRun_EveryTriggerFiresOnceAndTheOtherFinishesTheWork()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        await cluster.WaitForAliveAsync(2, TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(10));

        var killed = cluster.Nodes[0];
        var killedAt = TimeProvider.System.GetUtcNow();
        await ClusterNodes.KillAsync(killed);
        await cluster.WaitForAliveAsync(1, TimeSpan.FromSeconds(30)); // the survivor sees the dead node's check-ins stop
        await Task.Delay(TimeSpan.FromSeconds(10));
        var survivor = cluster.Nodes[1];
        await cluster.WaitForOutboxSentAsync(TimeSpan.FromSeconds(90)); // the checks queue; the outbox job sends at second 30
        await ClusterNodes.StopAsync(survivor);

        var runs = cluster.JobRuns();
        // Each firing ran on one node only; a run that recovers a dead node's firing is the one allowed repeat.
        var repeated = runs.Where(r => !r.Recovering).GroupBy(r => (r.Job, r.ScheduledMs)).Where(g => g.Count() > 1).ToList();
        Assert.True(repeated.Count == 0, "fired twice: " + string.Join("; ", repeated.Select(g => $"{g.Key.Job}@{g.Key.ScheduledMs} on {string.Join(",", g.Select(r => r.Node))}")));
        Assert.All(runs.Where(r => r.Recovering), r => Assert.Equal(survivor.Name, r.Node));
        // Both nodes took part before the kill, and the survivor ran every job after it.
        Assert.Contains(runs, r => r.Node == killed.Name);
        foreach (var job in new[] { "pull:demo-mistral", "pull:demo-openai", "check" })
            Assert.Contains(runs, r => r.Node == survivor.Name && r.Job == job && r.ScheduledMs > killedAt.ToUnixTimeMilliseconds() + 5000);

        // The ledger holds what the providers report, once: the same totals as one pull into an empty SQLite ledger.
        var expected = await SqliteTotalsAsync(cluster);
        Assert.Equal(expected, await PostgresTotalsAsync(cluster.ConnectionString));

        // Every alert was mailed exactly once, and every mailed alert is recorded as sent.
        var messages = cluster.Smtp.Messages();
        Assert.NotEmpty(messages);
        var twice = messages.GroupBy(m => m.MessageId).Where(g => g.Count() > 1).Select(g => g.First().Subject).ToList();
        Assert.True(twice.Count == 0, "mailed twice: " + string.Join("; ", twice));
        await using var pg = new NpgsqlConnection(cluster.ConnectionString);
        var sent = (await pg.QueryAsync<string>("SELECT message_id FROM outbox WHERE sent_at IS NOT NULL")).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(sent, messages.Select(m => m.MessageId ?? "").Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public async Task ProxyTraffic_SpreadOverBothNodes_IsMeteredExactly()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        const int calls = 120;
        var tokens = 0L;
        var bodies = new List<Task>();
        for (var i = 0; i < calls; i++)
        {
            var node = cluster.Nodes[i % 2];
            var url = new Uri(node.Client.BaseAddress!, $"/proxy/{ClusterNodes.ProxyAccount}/v1/chat/completions");
            using var response = await node.Client.SendAsync(Chat(url, cluster.Key, "mistral-small-2603", "hello " + i, stream: i % 3 == 0));
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            tokens += TotalTokens(body);
        }

        foreach (var node in cluster.Nodes)
            await ClusterNodes.StopAsync(node); // SIGTERM: each node commits what it metered

        await using var pg = new NpgsqlConnection(cluster.ConnectionString);
        var (requests, metered) = await pg.QuerySingleAsync<(long, long)>(
            "SELECT CAST(COALESCE(SUM(requests), 0) AS BIGINT), CAST(COALESCE(SUM(input_tokens + output_tokens), 0) AS BIGINT) FROM usage_records WHERE source = 'proxy' AND account = @account",
            new { account = ClusterNodes.ProxyAccount });
        Assert.Equal(calls, requests);
        Assert.Equal(tokens, metered);
    }

    [Fact]
    public async Task EnforcedBudget_CrossedThroughOneNode_TheOtherRefusesTheVeryNextCall()
    {
        await using var cluster = await ClusterNodes.StartAsync(2, new Dictionary<string, object>
        {
            // A proxy-only account with a budget any call crosses: the crossing call passes, every later one is refused.
            ["Monitor:Providers:2:Name"] = "mistral-capped",
            ["Monitor:Providers:2:Kind"] = "Mistral",
            ["Monitor:Providers:2:BaseUrl"] = "{mistral}",
            ["Monitor:Providers:2:Currency"] = "EUR",
            ["Monitor:Providers:2:Proxy:Enabled"] = true,
            ["Monitor:Budgets:2:Name"] = "capped-day",
            ["Monitor:Budgets:2:Scope:Account"] = "mistral-capped",
            ["Monitor:Budgets:2:Amount"] = 0.000001,
            ["Monitor:Budgets:2:Currency"] = "EUR",
            ["Monitor:Budgets:2:Period"] = "Day",
            ["Monitor:Budgets:2:Enforce"] = true,
        });
        HttpRequestMessage Call(ClusterNodes.Node node) =>
            Chat(new Uri(node.Client.BaseAddress!, "/proxy/mistral-capped/v1/chat/completions"), cluster.Key, "mistral-small-2603", "hi");

        using (var crossing = await cluster.Nodes[0].Client.SendAsync(Call(cluster.Nodes[0])))
        {
            Assert.Equal(HttpStatusCode.OK, crossing.StatusCode);
            await crossing.Content.ReadAsStringAsync();
        }

        // The crossing call is metered as its answer completes; once it is in the shared totals, no node lets another through.
        await using var pg = new NpgsqlConnection(cluster.ConnectionString);
        var shared = 0L;
        for (var i = 0; i < 100 && (shared = await pg.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM enforced_spend WHERE budget = 'capped-day'")) == 0; i++)
            await Task.Delay(20);
        Assert.True(shared > 0, "the crossing call never reached the shared totals"); // not left to a later ledger reconcile

        using var next = await cluster.Nodes[1].Client.SendAsync(Call(cluster.Nodes[1]));
        using var again = await cluster.Nodes[0].Client.SendAsync(Call(cluster.Nodes[0]));

        Assert.True(next.StatusCode == HttpStatusCode.TooManyRequests, $"the other node answered {next.StatusCode}");
        Assert.Contains("capped-day", await next.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, again.StatusCode);
    }

    private static async Task<Dictionary<string, (long Records, long Micros)>> PostgresTotalsAsync(string connectionString)
    {
        await using var pg = new NpgsqlConnection(connectionString);
        return (await pg.QueryAsync<(string Account, long Records, long Micros)>(
                "SELECT account, COUNT(*), CAST(COALESCE(SUM(cost_micros), 0) AS BIGINT) FROM usage_records WHERE source = 'api' GROUP BY account"))
            .ToDictionary(t => t.Account, t => (t.Records, t.Micros));
    }

    /// <summary>One <c>monitor pull</c> of the same providers into a SQLite ledger: what the cluster's ledger must equal.</summary>
    private static async Task<Dictionary<string, (long Records, long Micros)>> SqliteTotalsAsync(ClusterNodes cluster)
    {
        var folder = Directory.CreateTempSubdirectory("monitor-cluster-sqlite-").FullName;
        try
        {
            var config = await File.ReadAllTextAsync(Path.Combine(cluster.Nodes[0].Process.StartInfo.WorkingDirectory, "monitor.json"));
            await File.WriteAllTextAsync(Path.Combine(folder, "monitor.json"), config);
            var environment = new Dictionary<string, string>(cluster.Nodes[0].Process.StartInfo.Environment.Where(e => e.Key.StartsWith("MONITOR_TEST", StringComparison.Ordinal))
                .ToDictionary(e => e.Key, e => e.Value!))
            {
                ["Monitor__Storage__Provider"] = "Sqlite",
                ["Monitor__Storage__Sqlite__Path"] = Path.Combine(folder, "ledger.db"),
            };
            var pull = await MonitorProcess.RunAsync(folder, environment, "pull", "--config", "monitor.json");
            Assert.True(pull.ExitCode == 0, pull.Err);
            await using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(folder, "ledger.db")};Pooling=false");
            return (await c.QueryAsync<(string Account, long Records, long Micros)>(
                    "SELECT account, COUNT(*), COALESCE(SUM(cost_micros), 0) FROM usage_records WHERE source = 'api' GROUP BY account"))
                .ToDictionary(t => t.Account, t => (t.Records, t.Micros));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static long TotalTokens(string body)
    {
        // A streamed answer carries its usage in the last data chunk; a plain one at the top level.
        var json = body.StartsWith("data:", StringComparison.Ordinal)
            ? body.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal)).Last()["data: ".Length..]
            : body;
        using var document = System.Text.Json.JsonDocument.Parse(json);
        var usage = document.RootElement.GetProperty("usage");
        return usage.GetProperty("prompt_tokens").GetInt64() + usage.GetProperty("completion_tokens").GetInt64();
    }
}

/// <summary>The cluster tests start several processes each: they run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "cluster";
}
