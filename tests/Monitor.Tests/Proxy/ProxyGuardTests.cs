using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Keys;
using Monitor.Proxy;
using static Monitor.Tests.Proxy.ProxyCalls;
using static Monitor.Tests.Proxy.ProxyMeteringTests;

namespace Monitor.Tests.Proxy;

public sealed class ProxyGuardTests
{
    [Fact]
    public async Task Guard_Refuses_429NamingTheBudgetAndUpstreamSeesNothing()
    {
        var guard = new TestGuard { RefuseModel = "mistral-large-2512" };
        await using var h = await ProxyHarness.StartAsync(services: s => s.AddSingleton<ISpendGuard>(guard));
        var key = h.NewKey();

        using var refused = await h.Proxy.SendAsync(Chat(Url(h, "mistral-p", "/v1/chat/completions"), key, "mistral-large-2512", "hi", stream: true));
        using var anthropic = await h.Proxy.SendAsync(Messages(Url(h, "anthropic-p", "/v1/messages"), key, "mistral-large-2512", "hi"));
        Assert.Equal(0, h.Server.Inference.Requests);
        using var allowed = await h.Proxy.SendAsync(Chat(Url(h, "mistral-p", "/v1/chat/completions"), key, "mistral-small-2603", "hi"));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        using var body = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        var error = body.RootElement.GetProperty("error");
        Assert.Equal("budget_exceeded", error.GetProperty("type").GetString());
        Assert.Equal("budget_exceeded", error.GetProperty("code").GetString());
        Assert.Contains("team-monthly", error.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.TooManyRequests, anthropic.StatusCode);
        using var anthropicBody = JsonDocument.Parse(await anthropic.Content.ReadAsStringAsync());
        Assert.Equal("error", anthropicBody.RootElement.GetProperty("type").GetString());
        Assert.Equal("budget_exceeded", anthropicBody.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(1, h.Server.Inference.Requests);
        Assert.Contains(("mistral-p", KeyFingerprint.Of(key), "mistral-large-2512"), guard.Checked);
    }

    [Fact]
    public async Task Guard_EveryMeteredCall_RecordedAtOnceWithItsCatalogCost()
    {
        var guard = new TestGuard();
        await using var h = await ProxyHarness.StartAsync(services: s => s.AddSingleton<ISpendGuard>(guard));
        var key = h.NewKey();

        await SendOkAsync(h, Chat(Url(h, "mistral-p", "/v1/chat/completions"), key, "mistral-small-2603", "hi", stream: true));
        await SendOkAsync(h, Chat(Url(h, "openrouter-p", "/v1/chat/completions"), key, "unknown/model", "hi"));
        using (var failed = await h.Proxy.SendAsync(Chat(Url(h, "openai-p", "/v1/chat/completions"), "sk-wrong", "gpt-4o-mini", "hi")))
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);

        Assert.Equal(3, guard.Recorded.Count); // before any flush
        var mistral = guard.Recorded.Single(c => c.Account == "mistral-p");
        Assert.Equal((200, "mistral-small-2603", Monitor.Core.Pricing.Currency.EUR), (mistral.Status, mistral.Model, mistral.Currency));
        Assert.True(mistral.Cost > 0m);
        Assert.True(mistral.Tokens.Output > 0);
        Assert.Null(guard.Recorded.Single(c => c.Account == "openrouter-p").Cost); // unpriced: null, never zero
        var failedCall = guard.Recorded.Single(c => c.Account == "openai-p");
        Assert.Equal((401, 0L, 0m), (failedCall.Status, failedCall.Tokens.Total, failedCall.Cost));
    }

    private sealed class TestGuard : ISpendGuard
    {
        public string? RefuseModel { get; init; }
        public ConcurrentBag<(string, string, string?)> Checked { get; } = [];
        public ConcurrentQueue<MeteredCall> Recorded { get; } = [];

        public SpendRefusal? Check(string account, string keyFingerprint, string? model)
        {
            Checked.Add((account, keyFingerprint, model));
            return model == RefuseModel ? new SpendRefusal("team-monthly", "Budget 'team-monthly' (EUR 200.00 per month) is spent; calls resume on 2026-12-01.") : null;
        }

        public void Record(MeteredCall call) => Recorded.Enqueue(call);
    }
}
