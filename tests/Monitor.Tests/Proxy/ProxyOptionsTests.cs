using Monitor.Hosting;
using Monitor.Proxy;
using Monitor.Tests.Support;

namespace Monitor.Tests.Proxy;

public sealed class ProxyOptionsTests
{
    [Fact]
    public void Validate_ProxyOnlyAccountWithoutApiKeyEnv_Accepted()
    {
        var options = new MonitorOptions { Providers = [Account("mistral-p", "Mistral", proxy: true)] };

        Assert.Empty(MonitorOptionsValidator.Problems(options));
        Assert.False(options.Providers[0].Pulled);
        Assert.Equal(UsageFrom.Proxy, options.Providers[0].CountedSource);
    }

    [Fact]
    public void Validate_NoApiKeyEnvWithoutProxy_OrUsageFromApiWithoutKey_NamesTheKey()
    {
        var withoutProxy = new MonitorOptions { Providers = [Account("a", "Mistral", proxy: false)] };
        var apiWithoutKey = new MonitorOptions { Providers = [Account("b", "OpenAI", proxy: true)] };
        apiWithoutKey.Providers[0].UsageFrom = "Api";
        var badUpstream = new MonitorOptions { Providers = [Account("c", "Kilo", proxy: true)] };
        badUpstream.Providers[0].Proxy.UpstreamUrl = "api.kilo.ai/api/gateway";
        badUpstream.Proxy.MaxRequestBodySize = 0;

        Assert.Contains(MonitorOptionsValidator.Problems(withoutProxy), p => p.StartsWith("Monitor:Providers:0:ApiKeyEnv: is required", StringComparison.Ordinal));
        Assert.Contains(MonitorOptionsValidator.Problems(apiWithoutKey), p => p.StartsWith("Monitor:Providers:0:UsageFrom: 'Api' needs ApiKeyEnv", StringComparison.Ordinal));
        Assert.Contains(MonitorOptionsValidator.Problems(badUpstream), p => p.StartsWith("Monitor:Providers:0:Proxy:UpstreamUrl:", StringComparison.Ordinal));
        Assert.Contains(MonitorOptionsValidator.Problems(badUpstream), p => p.StartsWith("Monitor:Proxy:MaxRequestBodySize:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Mistral", "https://api.mistral.ai/v1", "", "https://api.mistral.ai/")]
    [InlineData("Mistral", "https://api.mistral.ai/v1/admin", "", "https://api.mistral.ai/")]
    [InlineData("Codestral", "https://codestral.mistral.ai", "", "https://codestral.mistral.ai/")]
    [InlineData("OpenAI", "https://api.openai.com/v1/", "", "https://api.openai.com/")]
    [InlineData("OpenRouter", "https://openrouter.ai/api/v1", "", "https://openrouter.ai/api")]
    [InlineData("Kilo", "https://api.kilo.ai", "", "https://api.kilo.ai/api/gateway")]
    [InlineData("Kilo", "https://api.kilo.ai", "https://gateway.example/kilo/v1", "https://gateway.example/kilo")]
    [InlineData("Anthropic", "https://api.anthropic.com", "", "https://api.anthropic.com/")]
    public void Routes_BaseOrUpstreamUrl_UpstreamWithoutVersionSegment(string kind, string baseUrl, string upstreamUrl, string expected)
    {
        var account = Account("acct", kind, proxy: true);
        account.BaseUrl = baseUrl;
        account.Proxy.UpstreamUrl = upstreamUrl;

        var route = new ProxyRoutes(new MonitorOptions { Providers = [account] }, _ => null).Find("acct")!;

        Assert.Equal(expected, route.Upstream.ToString());
        Assert.Equal(kind == "OpenAI", route.AsksStreamUsage);
    }

    [Fact]
    public void Routes_AskStreamUsageConfigured_WinsOverTheKindsDefault()
    {
        var compatible = Account("a", "OpenAICompatible", proxy: true);
        compatible.Proxy.AskStreamUsage = false;
        var mistral = Account("b", "Mistral", proxy: true);
        mistral.Proxy.AskStreamUsage = true;

        var routes = new ProxyRoutes(new MonitorOptions { Providers = [compatible, mistral] }, _ => null);

        Assert.False(routes.Find("a")!.AsksStreamUsage);
        Assert.True(routes.Find("b")!.AsksStreamUsage);
    }

    [Fact]
    public void Routes_ClientTokenVariableUnset_StopsStartNamingTheKey()
    {
        var options = new MonitorOptions { Providers = [Account("a", "Mistral", proxy: true)] };
        options.Providers[0].Proxy.ClientTokenEnv = "MONITOR_TEST_UNSET_TOKEN_VARIABLE";

        var e = Assert.Throws<BadInputException>(() => new ProxyRoutes(options, _ => null));

        Assert.StartsWith("Monitor:Providers:0:Proxy:ClientTokenEnv:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PullAll_ProxyOnlyAccount_SkippedWithoutAFailedRun()
    {
        await using var h = await PullHarness.StartAsync(accounts: [("mistral", "Mistral"), ("openai", "OpenAI")], settings: new Dictionary<string, string?>
        {
            ["Monitor:Providers:0:ApiKeyEnv"] = "",
            ["Monitor:Providers:0:Proxy:Enabled"] = "true",
        });

        var results = await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None);
        var single = await Assert.ThrowsAsync<BadInputException>(() => h.Pulls.PullAllAsync("mistral-test", null, null, null, CancellationToken.None));

        Assert.Equal(["openai-test"], results.Select(r => r.Account));
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM pull_runs WHERE account = 'mistral-test'"));
        Assert.Contains("seen only through the metering proxy", single.Message, StringComparison.Ordinal);
    }

    private static ProviderOptions Account(string name, string kind, bool proxy) => new()
    {
        Name = name, Kind = kind, BaseUrl = "https://api.example.com", Proxy = new ProxyOptions { Enabled = proxy },
    };
}
