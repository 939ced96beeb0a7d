using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Monitor.Demo;
using Monitor.Tests.Support;
using static Monitor.Tests.Proxy.ProxyCalls;

namespace Monitor.Tests.Proxy;

/// <summary>The real <c>monitor serve</c> process with the proxy, in front of the fake providers: what a kill loses.</summary>
public sealed class ProxyProcessTests
{
    [Fact]
    public async Task Serve_KilledWithSigkill_LosesAtMostTheLastSecondOfMeteredCalls()
    {
        var (committed, completed, before) = await RunAndStopAsync(kill: true);

        // Every call that ended more than a flush period (plus slack for a loaded machine) before the kill is in the ledger.
        Assert.True(committed >= before, $"committed {committed}, completed {completed}, completed over 1.25 s before the kill {before}");
        Assert.True(committed <= completed);
        Assert.True(before > 10, $"only {before} calls before the kill");
    }

    [Fact]
    public async Task Serve_StoppedWithSigterm_CommitsEveryMeteredCall()
    {
        var (committed, completed, _) = await RunAndStopAsync(kill: false);

        Assert.Equal(completed, committed);
    }

    private static async Task<(long Committed, long Completed, long CompletedBeforeLastSecond)> RunAndStopAsync(bool kill)
    {
        var folder = Directory.CreateTempSubdirectory("monitor-proxy-kill-").FullName;
        var key = "fake-" + Guid.NewGuid().ToString("N");
        await using var server = await FakeProviderServer.StartAsync(DemoScenario.Create(TimeProvider.System.GetUtcNow(), 7), key, CancellationToken.None);
        var port = FreePort();
        var ledger = Path.Combine(folder, "ledger.db");
        File.WriteAllText(Path.Combine(folder, "monitor.json"), $$"""
            { "Monitor": {
                "Storage": { "Sqlite": { "Path": "{{ledger}}" } },
                "Dashboard": { "Urls": "http://127.0.0.1:{{port}}" },
                "Providers": [ { "Name": "mistral-p", "Kind": "Mistral", "BaseUrl": "{{server.MistralBaseUrl}}", "Currency": "EUR", "Proxy": { "Enabled": true } } ] } }
            """);
        using var process = MonitorProcess.Start(folder, null, "serve", "--config", "monitor.json");
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            await WaitForHealthAsync(client, process);

            var completions = new List<TimeSpan>();
            var clock = Stopwatch.StartNew();
            var url = new Uri(client.BaseAddress!, "/proxy/mistral-p/v1/chat/completions");
            while (clock.Elapsed < TimeSpan.FromSeconds(5))
            {
                using var response = await client.SendAsync(Chat(url, key, "mistral-small-2603", "hello", stream: completions.Count % 2 == 0));
                await response.Content.ReadAsByteArrayAsync();
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                completions.Add(clock.Elapsed);
            }

            var stoppedAt = clock.Elapsed;
            if (kill)
                process.Kill(); // SIGKILL: no shutdown code runs
            else
                using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                    await term.WaitForExitAsync();
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(exit.Token);

            long committed;
            await using (var connection = new SqliteConnection($"Data Source={ledger}"))
            {
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT COALESCE(SUM(requests), 0) FROM usage_records WHERE source = 'proxy'";
                committed = (long)(await command.ExecuteScalarAsync())!;
            }

            // The writer commits every second; on a loaded CI machine one commit can take a while itself, so the bound
            // is the flush period plus a second of slack: still far inside the five seconds of calls.
            return (committed, completions.Count, completions.Count(c => c < stoppedAt - TimeSpan.FromSeconds(2)));
        }
        finally
        {
            if (!process.HasExited)
                process.Kill();
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task WaitForHealthAsync(HttpClient client, Process process)
    {
        for (var i = 0; i < 300; i++)
        {
            Assert.False(process.HasExited, "monitor serve exited at start");
            try
            {
                using var response = await client.GetAsync("/healthz");
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        Assert.Fail("monitor serve did not answer /healthz within 30 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
