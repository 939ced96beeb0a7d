using System.Diagnostics;
using System.Net;
using System.Text;
using Monitor.Demo;
using static Monitor.Tests.Proxy.ProxyCalls;
using static Monitor.Tests.Proxy.ProxyMeteringTests;

namespace Monitor.Tests.Proxy;

public sealed class ProxyPassThroughTests
{
    public static TheoryData<string, string, bool> Calls() => new()
    {
        { "mistral-p", "mistral-small-2603", false },
        { "mistral-p", "mistral-small-2603", true },
        { "openai-p", "gpt-4o-mini", false },
        { "openai-p", "gpt-4o-mini", true },
        { "openrouter-p", "anthropic/claude-sonnet-4.5", true },
        { "kilo-p", "anthropic/claude-sonnet-4", true },
        { "anthropic-p", "claude-sonnet-4-5", false },
        { "anthropic-p", "claude-sonnet-4-5", true },
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task Call_ThroughProxy_SameStatusHeadersAndBytesAsDirect(string account, string model, bool stream)
    {
        await using var h = await ProxyHarness.StartAsync();
        var key = h.NewKey();
        var path = account == "anthropic-p" ? "/v1/messages" : ChatPath(account);
        HttpRequestMessage Make(Uri url) => account == "anthropic-p"
            ? Messages(url, key, model, Long("a question"), stream)
            : Chat(url, key, model, Long("a question"), stream);

        var direct = await ReadAsync(h.Direct, Make(h.DirectUrl(account, path)));
        var proxied = await ReadAsync(h.Proxy, Make(Url(h, account, path)));

        Assert.Equal(direct.Status, proxied.Status);
        Assert.Equal(Encoding.UTF8.GetString(direct.Body), Encoding.UTF8.GetString(proxied.Body));
        Assert.Equal(direct.Body, proxied.Body);
        Assert.Equal(direct.Headers, proxied.Headers);
    }

    [Fact]
    public async Task Stream_ClientDidNotAskForUsage_ProxyAsksUpstreamAndClientSeesTheStreamItAskedFor()
    {
        await using var h = await ProxyHarness.StartAsync();
        var key = h.NewKey();

        var direct = await ReadAsync(h.Direct, Chat(h.DirectUrl("openai-p", "/v1/chat/completions"), key, "gpt-4o-mini", "hi", stream: true));
        var proxied = await ReadAsync(h.Proxy, Chat(Url(h, "openai-p", "/v1/chat/completions"), key, "gpt-4o-mini", "hi", stream: true));

        var upstream = Encoding.UTF8.GetString(h.Server.Inference.LastRequest!.Body);
        Assert.StartsWith("{\"stream_options\":{\"include_usage\":true},\"model\":\"gpt-4o-mini\"", upstream);
        var text = Encoding.UTF8.GetString(proxied.Body);
        Assert.DoesNotContain("usage", text);
        Assert.Equal(direct.Body, proxied.Body);
        Assert.EndsWith("data: [DONE]\n\n", text);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Stream_ClientSetIncludeUsage_ForwardedUnchangedAndUsageChunkSeenOnce(bool includeUsage)
    {
        await using var h = await ProxyHarness.StartAsync();
        var key = h.NewKey();

        var direct = await ReadAsync(h.Direct, Chat(h.DirectUrl("openai-p", "/v1/chat/completions"), key, "gpt-4o-mini", "hi", true, includeUsage));
        var proxied = await ReadAsync(h.Proxy, Chat(Url(h, "openai-p", "/v1/chat/completions"), key, "gpt-4o-mini", "hi", true, includeUsage));
        await h.FlushAsync();

        Assert.Equal(direct.Body, proxied.Body);
        var text = Encoding.UTF8.GetString(proxied.Body);
        Assert.Equal(includeUsage ? 1 : 0, text.Split("\"prompt_tokens\"").Length - 1);
        var upstream = Encoding.UTF8.GetString(h.Server.Inference.LastRequest!.Body);
        Assert.Contains("\"stream_options\":{\"include_usage\":true}", upstream); // false was turned to true, true left as it was
        Assert.Equal(2, Assert.Single(await h.ProxyRowsAsync("openai-p")).Output - 11); // metered both ways: 13 words
    }

    [Fact]
    public async Task Request_ThroughProxy_UpstreamGetsBodyAndHeadersAsSentButHostAndForwardingHeaders()
    {
        await using var h = await ProxyHarness.StartAsync();
        var key = h.NewKey();
        var json = "{ \"model\" : \"mistral-small-2603\",\n  \"messages\": [{\"role\":\"user\",\"content\":\"caf\\u00e9 \u2603\"}], \"temperature\": 0.70 }";
        using var request = Post(Url(h, "mistral-p", "/v1/chat/completions?trace=1"), key, json);
        request.Headers.Add("X-Title", "Kilo Code");
        request.Headers.Add("HTTP-Referer", "https://kilocode.ai");
        request.Headers.Add("X-Forwarded-Host", "evil.example");
        request.Headers.Add("X-Forwarded-For", "10.1.2.3");
        request.Headers.Add("Forwarded", "host=evil.example");

        using var response = await h.Proxy.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = h.Server.Inference.LastRequest!;
        Assert.Equal(json, Encoding.UTF8.GetString(seen.Body));
        Assert.Equal("/mistral/v1/chat/completions?trace=1", seen.PathAndQuery);
        Assert.Equal("Bearer " + key, seen.Headers["Authorization"]);
        Assert.Equal("Kilo Code", seen.Headers["X-Title"]);
        Assert.Equal("https://kilocode.ai", seen.Headers["HTTP-Referer"]);
        Assert.Equal(h.Server.BaseUrlOf("mistral").Authority, seen.Headers["Host"]);
        Assert.False(seen.Headers.ContainsKey("X-Forwarded-Host"));
        Assert.False(seen.Headers.ContainsKey("X-Forwarded-For"));
        Assert.False(seen.Headers.ContainsKey("Forwarded"));
        Assert.Equal("identity", seen.Headers["Accept-Encoding"]);
    }

    [Fact]
    public async Task Upstream401And429_ReachClientUnchanged_MeteredAsRequestsWithStatus()
    {
        await using var h = await ProxyHarness.StartAsync();
        var good = h.NewKey();

        var badDirect = await ReadAsync(h.Direct, Chat(h.DirectUrl("openai-p", "/v1/chat/completions"), "sk-wrong", "gpt-4o-mini", "hi"));
        var bad = await ReadAsync(h.Proxy, Chat(Url(h, "openai-p", "/v1/chat/completions"), "sk-wrong", "gpt-4o-mini", "hi"));
        h.Server.Faults.Add("/openai/v1/chat/completions", FakeFault.TooManyRequests(7));
        var limited = await ReadAsync(h.Proxy, Chat(Url(h, "openai-p", "/v1/chat/completions"), good, "gpt-4o-mini", "hi"));
        var anthropicBad = await ReadAsync(h.Proxy, Messages(Url(h, "anthropic-p", "/v1/messages"), "sk-ant-wrong", "claude-sonnet-4-5", "hi"));
        await h.FlushAsync();

        Assert.Equal(401, bad.Status);
        Assert.Equal(badDirect.Body, bad.Body);
        Assert.Equal(badDirect.Headers, bad.Headers);
        Assert.Equal(429, limited.Status);
        Assert.Contains("retry-after: 7", limited.Headers);
        Assert.Equal(FakeFault.TooManyRequests(7).Body, Encoding.UTF8.GetString(limited.Body));
        Assert.Equal(401, anthropicBad.Status);
        Assert.Contains("authentication_error", Encoding.UTF8.GetString(anthropicBad.Body));

        Assert.Empty(await h.ProxyRowsAsync("openai-p")); // no tokens: the ledger's totals are untouched
        var requests = await h.Get<Monitor.Storage.ProxyUsageRepository>().RequestsAsync("openai-p", CancellationToken.None);
        Assert.Contains(requests, r => r.Status == 401 && r.Requests == 1 && r.Metered == 0 && r.KeyFingerprint == Monitor.Core.Keys.KeyFingerprint.Of("sk-wrong") && r.Model == "gpt-4o-mini");
        Assert.Contains(requests, r => r.Status == 429 && r.Requests == 1 && r.Metered == 0);
        Assert.Single(await h.Get<Monitor.Storage.ProxyUsageRepository>().RequestsAsync("anthropic-p", CancellationToken.None), r => r.Status == 401);
    }

    [Fact]
    public async Task Stream_SlowUpstream_EachEventReachesClientAsItIsSent()
    {
        await using var h = await ProxyHarness.StartAsync();
        using var request = Chat(Url(h, "mistral-p", "/v1/chat/completions"), h.NewKey(), "mistral-small-2603", "hi", stream: true);
        request.Headers.Add(FakeInferenceEndpoints.DelayHeader, "150");

        using var response = await h.Proxy.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var watch = Stopwatch.StartNew();
        var arrivals = new List<(long Ms, int Events)>();
        var buffer = new byte[4096];
        var events = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            events += Encoding.UTF8.GetString(buffer, 0, read).Split("\n\n").Length - 1;
            arrivals.Add((watch.ElapsedMilliseconds, events));
        }

        // 14 content events 150 ms apart: they arrive one by one over ~2 s, not at once at the end.
        Assert.True(arrivals.Count >= 10, string.Join(", ", arrivals));
        Assert.True(arrivals[0].Ms < 120, string.Join(", ", arrivals));
        Assert.True(arrivals[^1].Ms - arrivals[0].Ms > 1_500, string.Join(", ", arrivals));
    }

    internal sealed record Exchange(int Status, byte[] Body, string[] Headers);

    internal static async Task<Exchange> ReadAsync(HttpClient client, HttpRequestMessage request)
    {
        using (request)
        using (var response = await client.SendAsync(request))
        {
            var body = await response.Content.ReadAsByteArrayAsync();
            var headers = response.Headers.Concat(response.Content.Headers)
                .Where(h => !h.Key.Equals("Date", StringComparison.OrdinalIgnoreCase))
                .SelectMany(h => h.Value.Select(v => $"{h.Key.ToLowerInvariant()}: {v}"))
                .Order(StringComparer.Ordinal)
                .ToArray();
            return new Exchange((int)response.StatusCode, body, headers);
        }
    }
}
