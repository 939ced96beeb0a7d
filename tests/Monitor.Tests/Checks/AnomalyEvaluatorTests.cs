using Microsoft.Extensions.Options;
using Monitor.Checks;
using Monitor.Core.Alerts;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Demo;
using Monitor.Hosting;
using Monitor.Storage;
using Monitor.Tests.Support;

namespace Monitor.Tests.Checks;

public sealed class AnomalyEvaluatorTests
{
    internal static readonly DemoScenario Demo = DemoScenario.Create(new DateTimeOffset(2026, 11, 22, 15, 30, 0, TimeSpan.Zero), days: 45);

    [Theory, BothDialects]
    public async Task EvaluateAsync_DemoLedger_FindsTheSupportKeyIncidentAtItsRealStart(SqlDialect dialect)
    {
        using var ledger = await DemoLedgerAsync(Demo.End, dialect);

        var decisions = await Evaluator(ledger).EvaluateAsync(new CheckContext(Demo.End, null), CancellationToken.None);

        var incident = Assert.Single(decisions, d => d.KeyId == Demo.Incident.KeyId);
        Assert.Equal(AlertKind.Anomaly, incident.Kind);
        Assert.Equal(Demo.Incident.Start, incident.OccurredAt);
        Assert.Equal($"anomaly:demo-openai:proj_support:key_support:{Demo.Incident.Start.ToUnixTimeSeconds()}", incident.DedupKey);
        Assert.Contains(incident.Evidence.Breakdowns[0].Rows, r => r.Label == Demo.Incident.Model);
        Assert.Equal(5, incident.Evidence.Runbook.Count);
    }

    [Theory, BothDialects]
    public async Task EvaluateAsync_AsOfBeforeTheIncident_UsesNoLaterData(SqlDialect dialect)
    {
        using var ledger = await DemoLedgerAsync(Demo.End, dialect);

        var decisions = await Evaluator(ledger).EvaluateAsync(new CheckContext(Demo.Incident.Start, null), CancellationToken.None);

        Assert.DoesNotContain(decisions, d => d.KeyId == Demo.Incident.KeyId);
    }

    [Theory, BothDialects]
    public async Task EvaluateAsync_BackfillOfAnOldWindow_IsStillFoundAndDatedAtItsStart(SqlDialect dialect)
    {
        // Everything is written after the previous check, whose own window (after End) holds nothing.
        using var ledger = await DemoLedgerAsync(Demo.End.AddHours(1), dialect);

        var decisions = await Evaluator(ledger).EvaluateAsync(new CheckContext(Demo.End.AddHours(2), Demo.End), CancellationToken.None);

        Assert.Equal(Demo.Incident.Start, Assert.Single(decisions, d => d.KeyId == Demo.Incident.KeyId).OccurredAt);
    }

    [Theory, BothDialects]
    public async Task EvaluateAsync_MutedKey_IsNotAlerted(SqlDialect dialect)
    {
        using var ledger = await DemoLedgerAsync(Demo.End, dialect);
        var first = Assert.Single(
            await Evaluator(ledger).EvaluateAsync(new CheckContext(Demo.End, null), CancellationToken.None), d => d.KeyId == Demo.Incident.KeyId);
        await using (var c = await ledger.Database.OpenAsync(CancellationToken.None))
        await using (var tx = await c.BeginTransactionAsync())
        {
            var id = (await AlertRepository.InsertAsync(c, tx, first, Demo.End, AlertStatus.Open, "immediate", CancellationToken.None))!.Value;
            await AlertRepository.MuteAsync(c, tx, id, Demo.End.AddDays(1), "load test", Demo.End, CancellationToken.None);
            await tx.CommitAsync();
        }

        var decisions = await Evaluator(ledger).EvaluateAsync(new CheckContext(Demo.End, null), CancellationToken.None);

        Assert.DoesNotContain(decisions, d => d.KeyId == Demo.Incident.KeyId);
    }

    [Theory, BothDialects]
    public async Task EvaluateAsync_SecondBurstADayAfterTheIncident_AlertsOnceAtItsStart(SqlDialect dialect)
    {
        using var ledger = await DemoLedgerAsync(Demo.End, dialect);
        var evaluator = Evaluator(ledger);
        var first = await evaluator.EvaluateAsync(new CheckContext(Demo.End, null), CancellationToken.None);
        var burst = Hour(Demo.End.AddDays(1));
        await BurstAsync(ledger, burst, hours: 6, perHour: 200m);

        var decisions = await evaluator.EvaluateAsync(new CheckContext(burst.AddHours(6), Demo.End), CancellationToken.None);

        var alert = Assert.Single(decisions);
        Assert.Equal(Demo.Incident.KeyId, alert.KeyId);
        Assert.Equal(burst, alert.OccurredAt);
        Assert.Equal($"anomaly:demo-openai:proj_support:key_support:{burst.ToUnixTimeSeconds()}", alert.DedupKey);
        Assert.DoesNotContain(first, d => d.DedupKey == alert.DedupKey);
        Assert.Equal("200.00 USD", Fact(alert, "Observed (peak hour)"));
        // The key is silent after the demo's end: almost all of the 1,200 USD is extra.
        Assert.InRange(Money(Fact(alert, "Extra spend so far")), 1150m, 1200m);
    }

    [Theory, BothDialects]
    public async Task EvaluateAsync_SecondBurstWithRebuiltState_AlertsOnceAtItsStart(SqlDialect dialect)
    {
        using var ledger = await DemoLedgerAsync(Demo.End, dialect);
        var burst = Hour(Demo.End.AddDays(1));
        await BurstAsync(ledger, burst, hours: 6, perHour: 200m);

        var decisions = await Evaluator(ledger).EvaluateAsync(new CheckContext(burst.AddHours(6), Demo.End), CancellationToken.None);

        Assert.Equal(burst, Assert.Single(decisions).OccurredAt);
    }

    [Theory, BothDialects]
    public async Task EvaluateAsync_BurstsDuringAndAfterAMute_AlertsOnlyAfterTheMuteEnds(SqlDialect dialect)
    {
        using var ledger = await DemoLedgerAsync(Demo.End, dialect);
        var evaluator = Evaluator(ledger);
        var first = Assert.Single(await evaluator.EvaluateAsync(new CheckContext(Demo.End, null), CancellationToken.None), d => d.KeyId == Demo.Incident.KeyId);
        var mutedUntil = Hour(Demo.End.AddDays(2));
        await using (var c = await ledger.Database.OpenAsync(CancellationToken.None))
        await using (var tx = await c.BeginTransactionAsync())
        {
            var id = (await AlertRepository.InsertAsync(c, tx, first, Demo.End, AlertStatus.Open, "immediate", CancellationToken.None))!.Value;
            await AlertRepository.MuteAsync(c, tx, id, mutedUntil, "load test", Demo.End, CancellationToken.None);
            await tx.CommitAsync();
        }
        var planned = Hour(Demo.End.AddDays(1));
        await BurstAsync(ledger, planned, hours: 6, perHour: 200m);

        var during = await evaluator.EvaluateAsync(new CheckContext(planned.AddHours(6), Demo.End), CancellationToken.None);
        var leak = mutedUntil.AddDays(1);
        await BurstAsync(ledger, leak, hours: 6, perHour: 200m);
        var after = await evaluator.EvaluateAsync(new CheckContext(leak.AddHours(6), planned.AddHours(6)), CancellationToken.None);

        Assert.Empty(during);
        var alert = Assert.Single(after);
        Assert.Equal(Demo.Incident.KeyId, alert.KeyId);
        Assert.Equal(leak, alert.OccurredAt);
    }

    private static AnomalyEvaluator Evaluator(TempLedger ledger)
    {
        var options = Options.Create(new MonitorOptions());
        return new AnomalyEvaluator(ledger.Database, new AlertRepository(ledger.Database), TempLedger.Catalog, options);
    }

    private static DateTimeOffset Hour(DateTimeOffset at) => DateTimeOffset.FromUnixTimeSeconds(at.ToUnixTimeSeconds() / 3600 * 3600);

    private static string Fact(AlertDecision alert, string label) => alert.Evidence.Facts.Single(f => f.Label == label).Value;

    private static decimal Money(string text) => decimal.Parse(text.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A leaked key burning on the incident's model: <paramref name="perHour"/> for each of <paramref name="hours"/> hours, written as it happens.</summary>
    private static async Task BurstAsync(TempLedger ledger, DateTimeOffset start, int hours, decimal perHour)
    {
        await using var tx = await LedgerTransaction.BeginAsync(ledger.Database, "import", null, "test", start.AddHours(hours), CancellationToken.None);
        for (var h = 0; h < hours; h++)
        {
            tx.Upsert(new UsageRecord
            {
                Account = "demo-openai", Provider = ProviderKind.OpenAI, Workspace = "proj_support", KeyId = Demo.Incident.KeyId, Model = Demo.Incident.Model,
                BucketStart = start.AddHours(h), BucketWidth = BucketWidth.Hour, Tokens = new TokenCounts(40_000_000, 0, 0, 15_000_000, 0),
                Requests = 20_000, Cost = perHour, Currency = Currency.USD, CostSource = CostSource.Reported, Source = RecordSource.Demo,
            });
        }

        await tx.CommitAsync(CancellationToken.None);
    }

    internal static async Task<TempLedger> DemoLedgerAsync(DateTimeOffset writtenAt, SqlDialect dialect)
    {
        var ledger = new TempLedger(writtenAt, dialect);
        await using var tx = await LedgerTransaction.BeginAsync(ledger.Database, "import", null, "test", writtenAt, CancellationToken.None);
        foreach (var h in Demo.Hours.Where(h => h.Provider == DemoScenario.OpenAI))
        {
            tx.Upsert(new UsageRecord
            {
                Account = "demo-openai", Provider = ProviderKind.OpenAI, Workspace = h.Workspace, KeyId = h.KeyId, Model = h.Model,
                BucketStart = h.HourStart, BucketWidth = BucketWidth.Hour,
                Tokens = new TokenCounts(h.InputTokens, h.CachedInputTokens, h.CacheWriteTokens, h.OutputTokens, h.ReasoningTokens),
                Requests = h.Requests, Cost = Demo.CostOf(h), Currency = Currency.USD, CostSource = CostSource.Reported, Source = RecordSource.Demo,
            });
        }

        await tx.CommitAsync(CancellationToken.None);
        return ledger;
    }
}
