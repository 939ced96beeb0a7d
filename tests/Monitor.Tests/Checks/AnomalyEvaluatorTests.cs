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

    [Fact]
    public async Task EvaluateAsync_DemoLedger_FindsTheSupportKeyIncidentAtItsRealStart()
    {
        using var ledger = await DemoLedgerAsync(Demo.End);

        var decisions = await Evaluator(ledger).EvaluateAsync(new CheckContext(Demo.End, null), CancellationToken.None);

        var incident = Assert.Single(decisions, d => d.KeyId == Demo.Incident.KeyId);
        Assert.Equal(AlertKind.Anomaly, incident.Kind);
        Assert.Equal(Demo.Incident.Start, incident.OccurredAt);
        Assert.Equal($"anomaly:demo-openai:proj_support:key_support:{Demo.Incident.Start.ToUnixTimeSeconds()}", incident.DedupKey);
        Assert.Contains(incident.Evidence.Breakdowns[0].Rows, r => r.Label == Demo.Incident.Model);
        Assert.Equal(5, incident.Evidence.Runbook.Count);
    }

    [Fact]
    public async Task EvaluateAsync_AsOfBeforeTheIncident_UsesNoLaterData()
    {
        using var ledger = await DemoLedgerAsync(Demo.End);

        var decisions = await Evaluator(ledger).EvaluateAsync(new CheckContext(Demo.Incident.Start, null), CancellationToken.None);

        Assert.DoesNotContain(decisions, d => d.KeyId == Demo.Incident.KeyId);
    }

    [Fact]
    public async Task EvaluateAsync_BackfillOfAnOldWindow_IsStillFoundAndDatedAtItsStart()
    {
        // Everything is written after the previous check, whose own window (after End) holds nothing.
        using var ledger = await DemoLedgerAsync(Demo.End.AddHours(1));

        var decisions = await Evaluator(ledger).EvaluateAsync(new CheckContext(Demo.End.AddHours(2), Demo.End), CancellationToken.None);

        Assert.Equal(Demo.Incident.Start, Assert.Single(decisions, d => d.KeyId == Demo.Incident.KeyId).OccurredAt);
    }

    [Fact]
    public async Task EvaluateAsync_MutedKey_IsNotAlerted()
    {
        using var ledger = await DemoLedgerAsync(Demo.End);
        var first = Assert.Single(
            await Evaluator(ledger).EvaluateAsync(new CheckContext(Demo.End, null), CancellationToken.None), d => d.KeyId == Demo.Incident.KeyId);
        await using (var c = await ledger.Database.OpenAsync(CancellationToken.None))
        await using (var tx = await c.BeginTransactionAsync())
        {
            await AlertRepository.InsertAsync(c, tx, first, Demo.End, "open", "immediate", CancellationToken.None);
            await tx.CommitAsync();
        }

        var id = (await new AlertRepository(ledger.Database).ListAsync([AlertStatus.Open], 10, CancellationToken.None)).Single().Id;
        await new AlertRepository(ledger.Database).MuteAsync(id, Demo.End.AddDays(1), "load test", Demo.End, CancellationToken.None);

        var decisions = await Evaluator(ledger).EvaluateAsync(new CheckContext(Demo.End, null), CancellationToken.None);

        Assert.DoesNotContain(decisions, d => d.KeyId == Demo.Incident.KeyId);
    }

    private static AnomalyEvaluator Evaluator(TempLedger ledger)
    {
        var options = Options.Create(new MonitorOptions());
        return new AnomalyEvaluator(ledger.Database, new AlertRepository(ledger.Database), TempLedger.Catalog, options);
    }

    internal static async Task<TempLedger> DemoLedgerAsync(DateTimeOffset writtenAt)
    {
        var ledger = new TempLedger(writtenAt);
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
