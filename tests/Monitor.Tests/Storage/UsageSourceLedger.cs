using Monitor.Core.Keys;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Hosting;
using Monitor.Storage;
using Monitor.Tests.Support;

namespace Monitor.Tests.Storage;

/// <summary>
/// A ledger holding one account seen through both sources: the provider's usage API (hourly rows, by workspace) and
/// the metering proxy (minute rows per key fingerprint), with different amounts so that a total shows which it counts.
/// </summary>
internal static class UsageSourceLedger
{
    public const string Account = "mistral-prod";

    public static string Fingerprint { get; } = KeyFingerprint.Of("sk-proxy-test-key-0001");

    public static ProviderOptions Options(string? usageFrom = null) => new()
    {
        Name = Account, Kind = "Mistral", BaseUrl = "https://api.mistral.ai", ApiKeyEnv = "MISTRAL_ADMIN_KEY",
        Proxy = new ProxyOptions { Enabled = true }, UsageFrom = usageFrom ?? "",
    };

    public static Task<IReadOnlyList<UsageSourceChange>> SyncAsync(TempLedger ledger, string? usageFrom = null) =>
        SyncAsync(ledger.Database, ledger.Clock, usageFrom);

    public static Task<IReadOnlyList<UsageSourceChange>> SyncAsync(Database database, TimeProvider clock, string? usageFrom = null) =>
        new UsageSourceRepository(database, clock).SyncAsync([Options(usageFrom)], CancellationToken.None);

    /// <summary>API rows: EUR 2 an hour of mistral-large over <paramref name="hours"/> hours from <paramref name="from"/>.</summary>
    public static IEnumerable<UsageRecord> Api(DateTimeOffset from, int hours, decimal perHour = 2m) =>
        Enumerable.Range(0, hours).Select(h => new UsageRecord
        {
            Account = Account, Provider = ProviderKind.Mistral, Workspace = "default", Model = "mistral-large-2411",
            BucketStart = from.AddHours(h), BucketWidth = BucketWidth.Hour, Tokens = new TokenCounts(400_000, 0, 0, 100_000, 0),
            Requests = 40, Cost = perHour, Currency = Currency.EUR, CostSource = CostSource.Reported, Source = RecordSource.Api,
        });

    /// <summary>Proxy rows: one minute an hour of EUR 0.50 on the test key, over <paramref name="hours"/> hours from <paramref name="from"/>.</summary>
    public static IEnumerable<UsageRecord> Proxied(DateTimeOffset from, int hours, decimal perHour = 0.5m, string model = "mistral-large-2411") =>
        Enumerable.Range(0, hours).Select(h => new UsageRecord
        {
            Account = Account, Provider = ProviderKind.Mistral, KeyId = Fingerprint, KeyFingerprint = Fingerprint, Model = model,
            BucketStart = from.AddHours(h).AddMinutes(7), BucketWidth = BucketWidth.Minute, Tokens = new TokenCounts(100_000, 0, 0, 25_000, 0),
            Requests = 10, Cost = perHour, EstimatedCost = perHour, Currency = Currency.EUR, CostSource = CostSource.Estimated, Source = RecordSource.Proxy,
        });

    public static Task WriteAsync(TempLedger ledger, IEnumerable<UsageRecord> records, string kind = "pull") =>
        WriteAsync(ledger.Database, ledger.Clock, records, kind);

    public static async Task WriteAsync(Database database, TimeProvider clock, IEnumerable<UsageRecord> records, string kind = "pull")
    {
        await using var tx = await LedgerTransaction.BeginAsync(database, kind, null, "test", clock.GetUtcNow(), CancellationToken.None);
        foreach (var r in records)
            tx.Upsert(r);
        await tx.CommitAsync(CancellationToken.None);
    }
}
