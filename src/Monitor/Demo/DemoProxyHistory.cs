using Monitor.Core.Keys;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Storage;

namespace Monitor.Demo;

/// <summary>
/// What the demo's proxy metered before this run: on the last completed day (settled for the unmetered-usage
/// comparison), the Support Bot team's key already called the fake Mistral through the proxy, while the Product Team
/// and Data Science called it directly. Its minute buckets, written as the proxy writes them (source proxy, key id =
/// the key's fingerprint), make that day's comparison with the Mistral usage API show one unmetered-usage finding; the
/// demo's live proxy traffic lands today, which is compared only once it is over.
/// </summary>
public static class DemoProxyHistory
{
    /// <summary>The Mistral key whose calls went through the proxy (by its name in the scenario).</summary>
    public const string ProxiedKey = "support-bot";

    /// <summary>The completed UTC day the history covers: the last one whose end is <paramref name="settle"/> behind <paramref name="now"/>.</summary>
    public static DateTimeOffset Day(DateTimeOffset now, TimeSpan settle)
    {
        var settled = (now - settle).ToUnixTimeSeconds();
        return DateTimeOffset.FromUnixTimeSeconds(settled - (settled % 86_400)).AddDays(-1);
    }

    /// <returns>The number of minute buckets written.</returns>
    public static async Task<int> WriteAsync(Database database, DemoScenario scenario, string account, DateTimeOffset now, TimeSpan settle, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var key = scenario.Keys.Single(k => k.Provider == DemoScenario.Mistral && k.Name == ProxiedKey);
        var fingerprint = KeyFingerprint.Of($"demo-{ProxiedKey}-{key.KeyId}");
        var day = Day(now, settle);
        await using var tx = await LedgerTransaction.BeginAsync(database, "demo", account, "demo proxy history", now, ct);
        foreach (var hour in scenario.Hours.Where(h => h.Provider == DemoScenario.Mistral && h.KeyId == key.KeyId && h.HourStart >= day && h.HourStart < day.AddDays(1)))
        {
            var cost = scenario.CostOf(hour);
            tx.Upsert(new UsageRecord
            {
                Account = account, Provider = ProviderKind.Mistral, KeyId = fingerprint, KeyFingerprint = fingerprint, Model = hour.Model,
                BucketStart = hour.HourStart.AddMinutes(17), BucketWidth = BucketWidth.Minute,
                Tokens = new TokenCounts(hour.InputTokens, hour.CachedInputTokens, hour.CacheWriteTokens, hour.OutputTokens, hour.ReasoningTokens),
                Requests = hour.Requests, Cost = cost, EstimatedCost = cost, Currency = Currency.EUR, CostSource = CostSource.Estimated,
                Source = RecordSource.Proxy,
            });
        }

        await tx.CommitAsync(ct);
        return (int)tx.RecordsWritten;
    }
}
