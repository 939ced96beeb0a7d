using System.Net;
using System.Text.Json;
using Monitor.Proxy;
using static Monitor.Tests.Proxy.ProxyCalls;
using static Monitor.Tests.Proxy.ProxyMeteringTests;

namespace Monitor.Tests.Proxy;

/// <summary>An enforced budget through the real proxy: the SpendGuard refuses with 429 after the crossing call.</summary>
public sealed class EnforcedBudgetProxyTests
{
    private static Dictionary<string, string?> Budget(string amount) => new()
    {
        ["Monitor:Budgets:0:Name"] = "mistral-daily",
        ["Monitor:Budgets:0:Scope:Account"] = "mistral-p",
        ["Monitor:Budgets:0:Amount"] = amount,
        ["Monitor:Budgets:0:Currency"] = "EUR",
        ["Monitor:Budgets:0:Period"] = "Day",
        ["Monitor:Budgets:0:TimeZone"] = "UTC",
        ["Monitor:Budgets:0:Enforce"] = "true",
    };

    [Fact]
    public async Task Proxy_EnforcedBudget_CrossingCallPassesTheNextGets429UntilTheDayEnds()
    {
        await using var h = await ProxyHarness.StartAsync(Budget("0.000001"));
        var key = h.NewKey();

        await SendOkAsync(h, Chat(Url(h, "mistral-p", "/v1/chat/completions"), key, "mistral-small-2603", "hi")); // crosses: it passes
        using var refused = await h.Proxy.SendAsync(Chat(Url(h, "mistral-p", "/v1/chat/completions"), key, "mistral-small-2603", "hi"));
        var upstream = h.Server.Inference.Requests;
        await SendOkAsync(h, Chat(Url(h, "openai-p", "/v1/chat/completions"), key, "gpt-4o-mini", "hi")); // another account
        h.Clock.Advance(TimeSpan.FromDays(1) - TimeSpan.FromHours(15.5)); // 00:00:05 UTC the next day
        await SendOkAsync(h, Chat(Url(h, "mistral-p", "/v1/chat/completions"), key, "mistral-small-2603", "hi"));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        using var body = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Contains("mistral-daily", body.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, upstream); // the refused call never reached the provider
    }
}
