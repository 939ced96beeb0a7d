using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Proxy;
using Monitor.Storage;
using Monitor.Tests.Support;

namespace Monitor.Tests.Storage;

/// <summary>The metering proxy's flushes on both dialects: several nodes adding to the same minutes lose and double nothing.</summary>
public sealed class ProxyUsageRepositoryTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 15, 0, 0, TimeSpan.Zero);

    private static readonly ProxyRoute Route = new()
    {
        Account = "mistral-prod", Kind = ProviderKind.Mistral, Upstream = new Uri("https://api.mistral.ai/v1"), Currency = Currency.EUR,
        Counted = true, AsksStreamUsage = false,
    };

    private static MeteredBucket Bucket(DateTimeOffset minute, string key, string model) =>
        new(Route, key, model, "", minute, new TokenCounts(100, 0, 0, 20, 0), 1, 0, "", 0.001m);

    [Theory, BothDialects]
    public async Task AddAsync_TwoNodesFlushingTheSameMinutesAtOnce_SumsEveryCallOnce(SqlDialect dialect)
    {
        using var ledger = new TempLedger(Now, dialect);
        await using var second = ledger.ConnectionString is { } pg ? Database.Postgres(pg) : new Database(ledger.Path, TimeSpan.FromSeconds(30));
        var nodes = new[] { new ProxyUsageRepository(ledger.Database), new ProxyUsageRepository(second) };
        var minutes = Enumerable.Range(0, 3).Select(i => Now.AddMinutes(i)).ToArray();
        string[] keys = ["fp-a", "fp-b"];
        string[] models = ["mistral-large-2411", "mistral-small-2503"];

        // Each node flushes 20 times; every flush has one call on each (minute, key, model), in its own order.
        await Task.WhenAll(nodes.Select((node, n) => Task.Run(async () =>
        {
            for (var flush = 0; flush < 20; flush++)
            {
                var buckets = (from m in minutes from k in keys from model in models select Bucket(m, k, model)).ToList();
                if ((flush + n) % 2 == 1)
                    buckets.Reverse();
                var counts = buckets.Select(b => new RequestCount(Route.Account, b.KeyFingerprint, b.Model, b.Minute, 200, 1, 1)).ToList();
                await node.AddAsync(buckets, counts, Now.AddMinutes(3), CancellationToken.None);
            }
        })));

        var rows = await ledger.QueryAsync<(long Requests, long Input, long Cost)>(
            "SELECT requests, input_tokens, cost_micros FROM usage_records WHERE source = 'proxy'");
        Assert.Equal(12, rows.Count);
        Assert.All(rows, r => Assert.Equal((40L, 4_000L, 40_000L), r));
        Assert.Equal(
            [(480L, 480_000L)],
            await ledger.QueryAsync<(long, long)>("SELECT CAST(SUM(requests) AS BIGINT), CAST(SUM(cost_micros) AS BIGINT) FROM usage_daily"));
        Assert.Equal(480, (await nodes[0].RequestsAsync(Route.Account, CancellationToken.None)).Sum(r => r.Requests));
    }
}
