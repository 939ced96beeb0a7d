using System.Net;
using System.Net.Sockets;
using System.Text;
using Monitor.Core.Keys;
using Monitor.Proxy;
using static Monitor.Tests.Proxy.ProxyCalls;
using static Monitor.Tests.Proxy.ProxyMeteringTests;

namespace Monitor.Tests.Proxy;

public sealed class ProxySafetyTests
{
    [Fact]
    public async Task Requests_TryingToReachAnotherHost_NeverLeaveTheConfiguredUpstreams()
    {
        await using var h = await ProxyHarness.StartAsync();
        using var evil = new TcpListener(IPAddress.Loopback, 0);
        evil.Start();
        var evilHost = $"127.0.0.1:{((IPEndPoint)evil.LocalEndpoint).Port}";
        var connections = 0;
        _ = Task.Run(async () =>
        {
            while (true)
            {
                using var socket = await evil.AcceptSocketAsync();
                Interlocked.Increment(ref connections);
            }
        });
        var proxyHost = h.ProxyRoot.Authority;
        var key = h.NewKey();
        string[] attempts =
        [
            $"GET /proxy/mistral-p/../../{evilHost}/v1/models HTTP/1.1\r\nHost: {proxyHost}\r\n",
            $"GET /proxy/mistral-p/%2e%2e/%2e%2e/v1/models HTTP/1.1\r\nHost: {proxyHost}\r\n",
            $"GET /proxy/mistral-p/%2E%2E/openai-p/v1/models HTTP/1.1\r\nHost: {proxyHost}\r\n",
            $"GET /proxy/mistral-p//{evilHost}/v1/models HTTP/1.1\r\nHost: {proxyHost}\r\n",
            $"GET /proxy/mistral-p/v1%2F..%2F..%2F{evilHost}%2Fx HTTP/1.1\r\nHost: {proxyHost}\r\n",
            $"GET /proxy/mistral-p/v1%5C..%5C{evilHost} HTTP/1.1\r\nHost: {proxyHost}\r\n",
            $"GET /proxy/mistral-p/\\\\{evilHost}/x HTTP/1.1\r\nHost: {proxyHost}\r\n",
            $"GET http://{evilHost}/proxy/mistral-p/v1/models HTTP/1.1\r\nHost: {evilHost}\r\n",
            $"GET http://{proxyHost}/proxy/mistral-p/v1/models HTTP/1.1\r\nHost: {proxyHost}\r\n",
            $"GET /proxy/mistral-p/v1/models HTTP/1.1\r\nHost: {evilHost}\r\n",
            $"GET /proxy/mistral-p/v1/models HTTP/1.1\r\nHost: {proxyHost}\r\nX-Forwarded-Host: {evilHost}\r\nX-Forwarded-Proto: https\r\nForwarded: host={evilHost}\r\n",
            $"GET /proxy/mistral-p/v1/models@{evilHost}/ HTTP/1.1\r\nHost: {proxyHost}\r\n",
            $"GET /proxy/mistral-p/http://{evilHost}/ HTTP/1.1\r\nHost: {proxyHost}\r\n",
            $"GET /proxy/{evilHost}/v1/models HTTP/1.1\r\nHost: {proxyHost}\r\n",
            $"GET /proxy/nobody/v1/models HTTP/1.1\r\nHost: {proxyHost}\r\n",
            $"CONNECT {evilHost} HTTP/1.1\r\nHost: {evilHost}\r\n",
        ];

        var answers = new List<string>();
        foreach (var attempt in attempts)
            answers.Add(await RawAsync(h.ProxyRoot, attempt + $"Authorization: Bearer {key}\r\nConnection: close\r\n\r\n"));
        await Task.Delay(200);

        Assert.Equal(0, Volatile.Read(ref connections));
        var upstreamPaths = h.Server.Faults.Log.Select(l => l.PathAndQuery).ToList();
        Assert.All(upstreamPaths, p => Assert.StartsWith("/mistral/v1/models", p, StringComparison.Ordinal));
        for (var i = 0; i < attempts.Length; i++)
        {
            var status = answers[i].Split(' ')[1];
            Assert.True(status is "400" or "404" or "401" or "405", $"{attempts[i].Split('\r')[0]} -> {answers[i].Split('\r')[0]}");
        }

        Assert.StartsWith("HTTP/1.1 400", answers[3], StringComparison.Ordinal); // //evil: refused by the proxy itself
        Assert.StartsWith("HTTP/1.1 400", answers[4], StringComparison.Ordinal); // encoded slashes
        Assert.StartsWith("HTTP/1.1 404", answers[14], StringComparison.Ordinal); // not a configured account
    }

    [Fact]
    public async Task Body_LargerThanTheLimit_413AndNotForwarded()
    {
        await using var h = await ProxyHarness.StartAsync(new Dictionary<string, string?> { ["Monitor:Proxy:MaxRequestBodySize"] = "2000" });
        var key = h.NewKey();

        using var small = await h.Proxy.SendAsync(Chat(Url(h, "mistral-p", "/v1/chat/completions"), key, "mistral-small-2603", "fits"));
        using var declared = await h.Proxy.SendAsync(Chat(Url(h, "mistral-p", "/v1/chat/completions"), key, "mistral-small-2603", new string('x', 3000)));
        var chunk = $"{{\"model\":\"m\",\"messages\":[{{\"content\":\"{new string('y', 5000)}\"}}]}}";
        var chunked = await RawAsync(h.ProxyRoot,
            $"POST /proxy/mistral-p/v1/chat/completions HTTP/1.1\r\nHost: {h.ProxyRoot.Authority}\r\nAuthorization: Bearer {key}\r\n"
            + $"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{chunk.Length:x}\r\n{chunk}\r\n0\r\n\r\n");

        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Contains("request_too_large", await declared.Content.ReadAsStringAsync());
        Assert.StartsWith("HTTP/1.1 413", chunked, StringComparison.Ordinal);
        Assert.Contains("request_too_large", chunked);
        Assert.Equal(1, h.Server.Inference.Requests);
    }

    [Fact]
    public async Task ClientToken_Configured_RequiredInItsHeaderAndNotForwarded()
    {
        var variable = "MONITOR_TEST_PROXY_TOKEN_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "team-token-123");
        await using var h = await ProxyHarness.StartAsync(new Dictionary<string, string?> { ["Monitor:Proxy:ClientTokenEnv"] = variable });
        var key = h.NewKey();

        using var none = await h.Proxy.SendAsync(Chat(Url(h, "mistral-p", "/v1/chat/completions"), key, "mistral-small-2603", "hi"));
        using var wrongRequest = Chat(Url(h, "mistral-p", "/v1/chat/completions"), key, "mistral-small-2603", "hi");
        wrongRequest.Headers.Add(ProxyRoutes.ClientTokenHeader, "team-token-124");
        using var wrong = await h.Proxy.SendAsync(wrongRequest);
        Assert.Equal(0, h.Server.Inference.Requests);
        using var rightRequest = Chat(Url(h, "mistral-p", "/v1/chat/completions"), key, "mistral-small-2603", "hi");
        rightRequest.Headers.Add(ProxyRoutes.ClientTokenHeader, "team-token-123");
        using var right = await h.Proxy.SendAsync(rightRequest);

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Contains("invalid_client_token", await none.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.False(h.Server.Inference.LastRequest!.Headers.ContainsKey(ProxyRoutes.ClientTokenHeader));
    }

    [Fact]
    public async Task DashboardAuth_Configured_DashboardNeedsItProxyUsesTheProviderKey()
    {
        var variable = "MONITOR_TEST_DASH_TOKEN_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "dashboard-secret");
        await using var h = await ProxyHarness.StartAsync(new Dictionary<string, string?> { ["Monitor:Dashboard:Auth:TokenEnv"] = variable });

        using var page = await h.Proxy.GetAsync("/");
        using var call = await h.Proxy.SendAsync(Chat(Url(h, "mistral-p", "/v1/chat/completions"), h.NewKey(), "mistral-small-2603", "hi"));
        using var badKey = await h.Proxy.SendAsync(Chat(Url(h, "mistral-p", "/v1/chat/completions"), "sk-nobody", "mistral-small-2603", "hi"));

        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, badKey.StatusCode); // the provider's own 401
        Assert.DoesNotContain("Authentication required", await badKey.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Traffic_WithKeysAndPrompts_NoKeyHeaderOrBodyInLogsOrDatabase()
    {
        await using var h = await ProxyHarness.StartAsync();
        var key = h.NewKey("sk-secret-");
        const string prompt = "PROMPT-MARKER-7f3a";
        await SendOkAsync(h, Chat(Url(h, "mistral-p", "/v1/chat/completions"), key, "mistral-small-2603", prompt));
        await SendOkAsync(h, Chat(Url(h, "openai-p", "/v1/chat/completions?api_key=QUERY-SECRET"), key, "gpt-4o-mini", prompt, stream: true));
        await SendOkAsync(h, Messages(Url(h, "anthropic-p", "/v1/messages"), key, "claude-sonnet-4-5", prompt, stream: true));
        using (var bad = await h.Proxy.SendAsync(Chat(Url(h, "mistral-p", "/v1/chat/completions"), "sk-wrong-secret-key", "mistral-small-2603", prompt)))
            Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        h.Server.Faults.Add("/mistral/v1/chat/completions", new Monitor.Demo.FakeFault(500, "{\"error\":\"" + prompt + " upstream body\"}"));
        using (var failed = await h.Proxy.SendAsync(Chat(Url(h, "mistral-p", "/v1/chat/completions"), key, "mistral-small-2603", prompt)))
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        await h.FlushAsync();

        var logs = string.Join("\n", h.Logs);
        Assert.NotEmpty(h.Logs);
        string[] secrets = [key, key[^20..], "sk-wrong-secret-key", prompt, "Bearer ", "QUERY-SECRET", "fake provider"];
        foreach (var secret in secrets)
            Assert.DoesNotContain(secret, logs);

        var dump = new StringBuilder();
        foreach (var table in await h.Ledger.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table'"))
        {
            foreach (var row in await h.Ledger.QueryAsync<dynamic>($"SELECT * FROM \"{table}\""))
                dump.AppendLine(string.Join("|", ((IDictionary<string, object?>)row).Values));
        }

        var database = dump.ToString();
        Assert.Contains(KeyFingerprint.Of(key), database);
        foreach (var secret in secrets)
            Assert.DoesNotContain(secret, database);
    }

    private static async Task<string> RawAsync(Uri root, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(root.Host, root.Port);
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await reader.ReadToEndAsync(timeout.Token);
    }
}
