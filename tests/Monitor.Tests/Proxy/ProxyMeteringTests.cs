using System.Net;
using Monitor.Core.Keys;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Demo;
using Monitor.Storage;
using Monitor.Tests.Support;
using static Monitor.Tests.Proxy.ProxyCalls;

namespace Monitor.Tests.Proxy;

public sealed class ProxyMeteringTests
{
    [Fact]
    public async Task Proxy_TrafficOfEveryKindOverTwoMinutes_LedgerEqualsBilledTotalsPerKeyModelAndMinute()
    {
        await using var h = await ProxyHarness.StartAsync();
        var keys = ProxyHarness.Accounts.ToDictionary(a => a.Account, a => new[] { h.NewKey(), h.NewKey() });

        for (var minute = 0; minute < 2; minute++)
        {
            foreach (var (account, kind, _) in ProxyHarness.Accounts)
            {
                foreach (var key in keys[account])
                {
                    foreach (var stream in new[] { false, true })
                    {
                        using var request = kind == "Anthropic"
                            ? Messages(Url(h, account, "/v1/messages"), key, minute == 0 ? "claude-sonnet-4-5" : "claude-haiku-4-5", Long($"question {minute}"), stream, cacheControl: stream)
                            : Chat(Url(h, account, ChatPath(account)), key, ModelOf(kind, minute), minute == 0 ? "short question" : Long("context"), stream);
                        await SendOkAsync(h, request);
                    }
                }
            }

            var mistral = keys["mistral-p"][minute];
            await SendOkAsync(h, Fim(Url(h, "mistral-p", "/v1/fim/completions"), mistral, "codestral-2508", "def add(a, b):", "return c", stream: minute == 1));
            await SendOkAsync(h, Embeddings(Url(h, "mistral-p", "/v1/embeddings"), mistral, "mistral-embed", "one", "two", "three"));
            await SendOkAsync(h, Ocr(Url(h, "mistral-p", "/v1/ocr"), mistral, "mistral-ocr-2505", 2_500));
            await SendOkAsync(h, Fim(Url(h, "codestral-p", "/v1/fim/completions"), keys["codestral-p"][0], "codestral-latest", "fn main() {", "}", stream: true));
            await SendOkAsync(h, Embeddings(Url(h, "openai-p", "/v1/embeddings"), keys["openai-p"][1], "text-embedding-3-small", "hello"));
            h.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        await h.FlushAsync();

        var catalog = h.Get<PriceCatalog>();
        foreach (var (account, kind, _) in ProxyHarness.Accounts)
        {
            var fingerprints = keys[account].Select(KeyFingerprint.Of).ToHashSet();
            var billed = h.Server.Inference.Billed.Where(b => fingerprints.Contains(b.Key.KeyFingerprint))
                .OrderBy(b => b.Key.Minute).ThenBy(b => b.Key.KeyFingerprint, StringComparer.Ordinal).ThenBy(b => b.Key.Model, StringComparer.Ordinal).ToList();
            var rows = (await h.ProxyRowsAsync(account)).OrderBy(r => r.BucketStart).ThenBy(r => r.KeyId, StringComparer.Ordinal).ThenBy(r => r.Model, StringComparer.Ordinal).ToList();
            Assert.NotEmpty(billed);
            Assert.Equal(billed.Count, rows.Count);
            foreach (var (b, row) in billed.Zip(rows))
            {
                var where = $"{account} {b.Key.Model} {b.Key.Minute:u}";
                Assert.Equal((b.Key.KeyFingerprint, b.Key.KeyFingerprint, b.Key.Model, b.Key.Minute.ToUnixTimeSeconds(), "1m"), (row.KeyId, row.KeyFingerprint, row.Model, row.BucketStart, row.BucketWidth));
                Assert.True(b.Value.Tokens == new TokenCounts(row.Input, row.CachedInput, row.CacheWrite, row.Output, row.Reasoning), $"{where}: billed {b.Value.Tokens}, ledger {row}");
                Assert.Equal(b.Value.Requests, row.Requests);
                Assert.Equal(b.Value.Pages, row.Units);
                Assert.Equal(1, row.Counted); // proxy-only accounts count the proxy
                var providerKind = Enum.Parse<ProviderKind>(kind);
                var currency = account == "mistral-p" ? Currency.EUR : Currency.USD;
                var estimate = b.Value.Pages > 0 ? null : catalog.Estimate(providerKind, b.Key.Model, currency, b.Key.Minute, b.Value.Tokens);
                Assert.Equal(estimate is { } e ? MoneyUnits.ToMicros(e) : null, row.CostMicros);
                Assert.Equal(estimate is null ? "unpriced" : "estimated", row.CostSource);
                Assert.Equal(currency.ToString(), row.Currency);
            }
        }

        // Answered models are metered as answered (OpenAI's dated snapshot), and priced through the catalog's family.
        Assert.Contains(await h.ProxyRowsAsync("openai-p"), r => r.Model == "gpt-4o-mini-2024-07-18" && r.CostMicros > 0 && r.Reasoning == 0);
        Assert.Contains(await h.ProxyRowsAsync("openai-p"), r => r.Model == "o4-mini" && r.Reasoning > 0);
        Assert.Contains(await h.ProxyRowsAsync("mistral-p"), r => r.Category == "ocr" && r.Unit == "pages" && r.Units > 0 && r.CostMicros is null);
        Assert.Contains(await h.ProxyRowsAsync("anthropic-p"), r => r.CacheWrite > 0 && r.CachedInput > 0);
    }

    [Fact]
    public async Task Flush_SeveralInOneMinute_AddToTheMinutesRecordAndRollup()
    {
        await using var h = await ProxyHarness.StartAsync();
        var key = h.NewKey();

        await SendOkAsync(h, Chat(Url(h, "mistral-p", "/v1/chat/completions"), key, "mistral-small-2603", "first"));
        await h.FlushAsync();
        await SendOkAsync(h, Chat(Url(h, "mistral-p", "/v1/chat/completions"), key, "mistral-small-2603", "second one", stream: true));
        await h.FlushAsync();

        var row = Assert.Single(await h.ProxyRowsAsync("mistral-p"));
        var billed = Assert.Single(h.Server.Inference.Billed).Value;
        Assert.Equal(2, row.Requests);
        Assert.Equal(billed.Tokens, new TokenCounts(row.Input, row.CachedInput, row.CacheWrite, row.Output, row.Reasoning));
        var rollup = await h.Ledger.ScalarAsync<long>("SELECT input_tokens + output_tokens FROM usage_daily WHERE account = 'mistral-p'");
        Assert.Equal(billed.Tokens.Input + billed.Tokens.Output, rollup);
    }

    [Fact]
    public async Task Flush_AccountCountingItsApi_ProxyRowsKeptButNotCounted()
    {
        await using var h = await ProxyHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Monitor:Providers:0:ApiKeyEnv"] = "SOME_ADMIN_KEY_VARIABLE", // mistral-p: has a usage API and a key: counts the API
        });

        await SendOkAsync(h, Chat(Url(h, "mistral-p", "/v1/chat/completions"), h.NewKey(), "mistral-small-2603", "hello"));
        await h.FlushAsync();

        Assert.Equal(0, Assert.Single(await h.ProxyRowsAsync("mistral-p")).Counted);
        Assert.Equal(0L, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_daily WHERE account = 'mistral-p'"));
    }

    internal static Uri Url(ProxyHarness h, string account, string path) => new(h.ProxyRoot, $"/proxy/{account}{path}");

    internal static async Task SendOkAsync(ProxyHarness h, HttpRequestMessage request)
    {
        using (request)
        using (var response = await h.Proxy.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{request.RequestUri}: {(int)response.StatusCode} {body}");
        }
    }

    private static string ModelOf(string kind, int minute) => kind switch
    {
        "Mistral" => minute == 0 ? "mistral-small-2603" : "mistral-large-2512",
        "Codestral" => "codestral-2508",
        "OpenAI" => minute == 0 ? "gpt-4o-mini" : "o4-mini",
        "OpenAICompatible" => "mistral-small-latest",
        "OpenRouter" => "anthropic/claude-sonnet-4.5",
        "Kilo" => "anthropic/claude-sonnet-4",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
