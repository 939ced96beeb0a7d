using Monitor.Ledger.Focus;
using Monitor.Storage;
using Monitor.Tests.Support;

namespace Monitor.Tests.Storage;

/// <summary>What the FOCUS export reads: the counted source alone, the window [from, to), every field, on both dialects.</summary>
public sealed class CountedUsageFocusTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 15, 30, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset From = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    [Theory, BothDialects]
    public async Task CountedUsageAsync_AccountWithBothSources_ReadsTheCountedApiRowsInTheWindowInOrder(SqlDialect dialect)
    {
        using var ledger = new TempLedger(Now, dialect);
        await UsageSourceLedger.SyncAsync(ledger);
        await UsageSourceLedger.WriteAsync(ledger, UsageSourceLedger.Api(From, 6));
        await UsageSourceLedger.WriteAsync(ledger, UsageSourceLedger.Proxied(From, 6));

        var rows = await Read(ledger, From.AddHours(1), From.AddHours(4));

        Assert.Equal([From.AddHours(1), From.AddHours(2), From.AddHours(3)], rows.Select(r => DateTimeOffset.FromUnixTimeSeconds(r.BucketStart)));
        var first = rows[0];
        Assert.Equal(
            (UsageSourceLedger.Account, "mistral", "default", "", (string?)null, "mistral-large-2411", "", "1h", 400_000L, 0L, 0L, 100_000L, 0L, 40L, 0L, "", (long?)2_000_000, "EUR", "reported", (long?)null, "api"),
            (first.Account, first.Provider, first.Workspace, first.KeyId, first.KeyFingerprint, first.Model, first.Category, first.BucketWidth,
                first.InputTokens, first.CachedInputTokens, first.CacheWriteTokens, first.OutputTokens, first.ReasoningTokens, first.Requests,
                first.Units, first.Unit, first.CostMicros, first.Currency, first.CostSource, first.EstimatedCostMicros, first.Source));
    }

    [Theory, BothDialects]
    public async Task ExportFocus_AccountCountingTheProxy_BillsZeroKeepsTheEstimateAndNamesNoCredential(SqlDialect dialect)
    {
        using var ledger = new TempLedger(Now, dialect);
        await UsageSourceLedger.SyncAsync(ledger, "Proxy");
        await UsageSourceLedger.WriteAsync(ledger, UsageSourceLedger.Api(From, 2));
        await UsageSourceLedger.WriteAsync(ledger, UsageSourceLedger.Proxied(From, 2));

        List<FocusCharge> charges = [];
        await foreach (var c in new FocusExporter(ledger.Database, TempLedger.Catalog).ChargesAsync(From, From.AddDays(1), CancellationToken.None))
            charges.Add(c);

        Assert.Equal(4, charges.Count); // two proxy minutes, input and output tokens each; the API rows are not counted
        Assert.All(charges, c => Assert.Equal((0m, 0m, "estimated", (string?)null), (c.BilledCost, c.EffectiveCost, c.CostSource, c.CredentialId)));
        Assert.Equal(1.0m, charges.Sum(c => c.EstimatedCost));
        Assert.All(charges, c => Assert.Equal(TimeSpan.FromMinutes(1), c.ChargePeriodEnd - c.ChargePeriodStart));
    }

    private static async Task<List<CountedUsageRow>> Read(TempLedger ledger, DateTimeOffset from, DateTimeOffset to)
    {
        List<CountedUsageRow> rows = [];
        await foreach (var row in new ExportRepository(ledger.Database).CountedUsageAsync(from.ToUnixTimeSeconds(), to.ToUnixTimeSeconds(), CancellationToken.None))
            rows.Add(row);
        return rows;
    }
}
