using Monitor.Ledger;
using Monitor.Storage;
using Monitor.Tests.Support;

namespace Monitor.Tests.Ledger;

public sealed class UsageImporterTests
{
    private const string Header = "bucket_start,bucket_width,provider,account,workspace,key_id,model,input_tokens,output_tokens,requests,currency,cost";

    private static readonly string ThreeRows = string.Join('\n',
        Header,
        "2026-11-01T00:00:00Z,1h,mistral,mistral-prod,ws1,,mistral-large-2512,1000000,1000000,10,EUR,",
        "2026-11-01T01:00:00Z,1h,mistral,mistral-prod,ws1,,mistral-large-2512,2000000,0,20,EUR,",
        "2026-11-01T00:00:00Z,1h,openai,openai-prod,proj_a,key_a,gpt-4o-mini-2024-07-18,1000000,1000000,5,USD,1.25");

    [Theory, BothDialects]
    public async Task ImportAsync_SameFileTwice_DoesNotDoubleCount(SqlDialect dialect)
    {
        using var ledger = new TempLedger(dialect: dialect);
        var importer = new UsageImporter(ledger.Database, TempLedger.Catalog, ledger.Clock);
        var file = ledger.File("usage.csv", ThreeRows);

        await importer.ImportAsync(file, null, CancellationToken.None);
        var second = await importer.ImportAsync(file, null, CancellationToken.None);

        Assert.Equal(3, second.Records);
        Assert.Equal(3, await ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records"));
        Assert.Equal(3_000_000, await ledger.ScalarAsync<long>("SELECT SUM(input_tokens) FROM usage_records WHERE account = 'mistral-prod'"));
    }

    [Theory, BothDialects]
    public async Task ImportAsync_CorrectedFileWithFewerRows_ReplacesTheWindow(SqlDialect dialect)
    {
        using var ledger = new TempLedger(dialect: dialect);
        var importer = new UsageImporter(ledger.Database, TempLedger.Catalog, ledger.Clock);
        await importer.ImportAsync(ledger.File("usage.csv", ThreeRows), null, CancellationToken.None);

        // The corrected export drops the 01:00 row of mistral-prod but still covers that hour.
        var corrected = string.Join('\n', Header,
            "2026-11-01T00:00:00Z,1h,mistral,mistral-prod,ws1,,mistral-large-2512,1000000,1000000,10,EUR,",
            "2026-11-01T01:00:00Z,1h,mistral,mistral-prod,ws1,,mistral-small-2603,5,5,1,EUR,");
        var result = await importer.ImportAsync(ledger.File("corrected.csv", corrected), null, CancellationToken.None);

        Assert.Equal(1, result.Replaced);
        Assert.Equal(0, await ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records WHERE model = 'mistral-large-2512' AND bucket_start = @t", new { t = 1761958800L }));
        Assert.Equal(1, await ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records WHERE account = 'openai-prod'")); // other accounts untouched
    }

    [Theory, BothDialects]
    public async Task ImportAsync_BadRow_WritesNothingAndNamesLineAndField(SqlDialect dialect)
    {
        using var ledger = new TempLedger(dialect: dialect);
        var importer = new UsageImporter(ledger.Database, TempLedger.Catalog, ledger.Clock);
        var file = ledger.File("bad.csv", ThreeRows + "\n2026-11-01T02:00:00Z,1h,mistral,mistral-prod,ws1,,mistral-large-2512,12x,0,1,EUR,");

        var error = await Assert.ThrowsAsync<BadInputException>(() => importer.ImportAsync(file, null, CancellationToken.None));

        Assert.Equal("bad.csv: line 5: input_tokens: '12x' is not a whole number of zero or more", error.Message);
        Assert.Equal(0, await ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records"));
        Assert.Equal(0, await ledger.ScalarAsync<long>("SELECT COUNT(*) FROM ingest_batches"));
    }

    [Theory]
    [BothDialects("2026-11-01T00:30:00Z,1h,mistral,a,,,m,1,1,1,EUR,", "bucket_start: '2026-11-01T00:30:00Z' is not the start of a 1h bucket in UTC")]
    [BothDialects("2026-11-01T00:00:00Z,1h,mistral,a,,,m,1,1,1,GBP,", "currency: 'GBP' is not USD or EUR")]
    [BothDialects("2026-11-01T00:00:00Z,2h,mistral,a,,,m,1,1,1,EUR,", "bucket_width: '2h' is not one of 1m, 1h, 1d, month")]
    [BothDialects("2026-11-01T00:00:00Z,1h,mistrall,a,,,m,1,1,1,EUR,", "provider: 'mistrall' is not a provider kind")]
    [BothDialects("2026-11-01T00:00:00Z,1h,mistral,,,,m,1,1,1,EUR,", "account: is required")]
    [BothDialects("2026-11-01T00:00:00Z,1h,mistral,a,,,m,1,1,1,EUR,1.2.3", "cost: '1.2.3' is not an amount (invariant decimal, e.g. 12.34)")]
    public async Task ImportAsync_InvalidField_NamesIt(SqlDialect dialect, string row, string expected)
    {
        using var ledger = new TempLedger(dialect: dialect);
        var importer = new UsageImporter(ledger.Database, TempLedger.Catalog, ledger.Clock);

        var error = await Assert.ThrowsAsync<BadInputException>(() => importer.ImportAsync(ledger.File("x.csv", Header + "\n" + row), null, CancellationToken.None));

        Assert.Equal("x.csv: line 2: " + expected, error.Message);
    }

    [Theory, BothDialects]
    public async Task ImportAsync_RawKeyInFingerprintColumn_IsRefused(SqlDialect dialect)
    {
        using var ledger = new TempLedger(dialect: dialect);
        var importer = new UsageImporter(ledger.Database, TempLedger.Catalog, ledger.Clock);
        var file = ledger.File("k.csv", "bucket_start,bucket_width,provider,account,model,currency,key_fingerprint\n2026-11-01T00:00:00Z,1h,openai,a,m,USD,sk-proj-abcdefghijklmnop1234");

        var error = await Assert.ThrowsAsync<BadInputException>(() => importer.ImportAsync(file, null, CancellationToken.None));

        Assert.StartsWith("k.csv: line 2: key_fingerprint: is not a fingerprint", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-proj", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records"));
    }

    [Theory, BothDialects]
    public async Task ImportAsync_UnknownColumn_IsRefusedOnLineOne(SqlDialect dialect)
    {
        using var ledger = new TempLedger(dialect: dialect);
        var importer = new UsageImporter(ledger.Database, TempLedger.Catalog, ledger.Clock);

        var error = await Assert.ThrowsAsync<BadInputException>(() => importer.ImportAsync(
            ledger.File("c.csv", "bucket_start,bucket_width,provider,account,model,currency,cost_sorce\n"), null, CancellationToken.None));

        Assert.StartsWith("c.csv: line 1: unknown column 'cost_sorce'", error.Message, StringComparison.Ordinal);
    }

    [Theory, BothDialects]
    public async Task ImportAsync_CostSources_ReportedWinsEstimateKeptUnpricedFlagged(SqlDialect dialect)
    {
        using var ledger = new TempLedger(dialect: dialect);
        var importer = new UsageImporter(ledger.Database, TempLedger.Catalog, ledger.Clock);
        var file = ledger.File("s.csv", string.Join('\n', Header,
            "2026-11-01T00:00:00Z,1h,openai,o,p,k,gpt-4o-mini-2024-07-18,1000000,1000000,5,USD,1.25",
            "2026-11-01T00:00:00Z,1h,openai,o,p,k,gpt-4o-mini-2024-07-18-x,1,1,1,USD,",
            "2026-11-01T00:00:00Z,1h,mistral,m,w,,mistral-large-2512,1000000,1000000,1,EUR,"));

        await importer.ImportAsync(file, null, CancellationToken.None);
        var rows = (await ledger.QueryAsync<(string Model, long? Cost, string Source, long? Estimate)>(
            "SELECT model, cost_micros, cost_source, estimated_cost_micros FROM usage_records ORDER BY model")).ToDictionary(r => r.Model);

        Assert.Equal((1_250_000L, "reported", 750_000L), (rows["gpt-4o-mini-2024-07-18"].Cost!.Value, rows["gpt-4o-mini-2024-07-18"].Source, rows["gpt-4o-mini-2024-07-18"].Estimate!.Value));
        Assert.Equal((null, "unpriced", null), (rows["gpt-4o-mini-2024-07-18-x"].Cost, rows["gpt-4o-mini-2024-07-18-x"].Source, rows["gpt-4o-mini-2024-07-18-x"].Estimate));
        Assert.Equal((1_740_000L, "estimated"), (rows["mistral-large-2512"].Cost!.Value, rows["mistral-large-2512"].Source));
    }

    [Theory]
    [BothDialects("csv")]
    [BothDialects("json")]
    public async Task ExportThenImport_IntoEmptyLedger_RoundTripsEveryField(SqlDialect dialect, string format)
    {
        using var source = new TempLedger(dialect: dialect);
        await new UsageImporter(source.Database, TempLedger.Catalog, source.Clock).ImportAsync(source.File("seed.csv", string.Join('\n',
            "bucket_start,bucket_width,provider,account,workspace,key_id,key_fingerprint,model,input_tokens,cached_input_tokens,cache_write_tokens,output_tokens,reasoning_tokens,requests,cost,currency,cost_source,estimated_cost,source",
            "2026-11-01T00:00:00Z,1h,openai,o,proj_a,key_a,3f9a1c0be27d...x9Qa,gpt-4o-mini,100,20,5,50,10,3,0.123456,USD,reported,0.1,api",
            "2026-10-01T00:00:00Z,month,mistral,m,\"ws, with comma\",,,=cmd|' /C calc'!A0,100,0,0,0,0,1,,EUR,unpriced,,demo",
            "2026-11-02T00:00:00Z,1d,anthropic,a,,,,\"quote \"\"model\"\"\",7,0,0,7,0,1,2.5,USD,estimated,2.5,import")), null, CancellationToken.None);

        var exporter = new LedgerExporter(source.Database, TempLedger.Catalog);
        var fmt = format == "json" ? ExportFormat.Json : ExportFormat.Csv;
        var first = new StringWriter();
        await exporter.ExportAsync("usage", fmt, first, null, null, CancellationToken.None);

        using var target = new TempLedger(dialect: dialect);
        await new UsageImporter(target.Database, TempLedger.Catalog, target.Clock).ImportAsync(target.File("export." + format, first.ToString()), null, CancellationToken.None);
        var second = new StringWriter();
        await new LedgerExporter(target.Database, TempLedger.Catalog).ExportAsync("usage", fmt, second, null, null, CancellationToken.None);

        Assert.Equal(3, first.ToString().Split('\n').Count(l => l.Contains("T00:00:00Z", StringComparison.Ordinal)));
        Assert.Equal(first.ToString(), second.ToString());
        Assert.Contains(format == "csv" ? "'=cmd|" : "=cmd|", first.ToString(), StringComparison.Ordinal); // formula neutralised in CSV only
    }

    [Theory, BothDialects]
    public async Task ExportAsync_FromTo_FiltersByBucketStart(SqlDialect dialect)
    {
        using var ledger = new TempLedger(dialect: dialect);
        await new UsageImporter(ledger.Database, TempLedger.Catalog, ledger.Clock).ImportAsync(ledger.File("usage.csv", ThreeRows), null, CancellationToken.None);
        var output = new StringWriter();

        var rows = await new LedgerExporter(ledger.Database, TempLedger.Catalog).ExportAsync("usage", ExportFormat.Csv, output,
            DateTimeOffset.Parse("2026-11-01T01:00:00Z", System.Globalization.CultureInfo.InvariantCulture), null, CancellationToken.None);

        Assert.Equal(1, rows);
        Assert.Contains("2026-11-01T01:00:00Z,1h,mistral", output.ToString(), StringComparison.Ordinal);
    }

    [Theory, BothDialects]
    public async Task ExportReconciliation_ComparesReportedWithEstimatePerDayAndModel(SqlDialect dialect)
    {
        using var ledger = new TempLedger(dialect: dialect);
        await new UsageImporter(ledger.Database, TempLedger.Catalog, ledger.Clock).ImportAsync(ledger.File("r.csv", string.Join('\n', Header,
            // gpt-4o-mini: 1M in + 1M out = USD 0.75 at catalog prices; the provider billed 0.90 over two hours.
            "2026-11-01T00:00:00Z,1h,openai,o,p,k,gpt-4o-mini-2024-07-18,500000,500000,1,USD,0.40",
            "2026-11-01T01:00:00Z,1h,openai,o,p,k,gpt-4o-mini-2024-07-18,500000,500000,1,USD,0.50",
            "2026-11-01T02:00:00Z,1h,openai,o,p,k,unknown-model,10,10,1,USD,0.01",
            // What the bill holds beyond its keys (a deleted key) and beyond its workspaces: lines of their own.
            "2026-11-01T03:00:00Z,1h,openai,o,p,(unattributed),gpt-4o-mini-2024-07-18,500000,500000,1,USD,0.45",
            "2026-11-01T04:00:00Z,1h,openai,o,(outside any workspace),,gpt-4o-mini-2024-07-18,500000,500000,1,USD,0.45")), null, CancellationToken.None);
        var output = new StringWriter();

        await new LedgerExporter(ledger.Database, TempLedger.Catalog).ExportAsync("reconciliation", ExportFormat.Csv, output, null, null, CancellationToken.None);

        var lines = output.ToString().Trim().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal("day,account,provider,model,currency,reported_cost,estimated_cost,gap,gap_percent,records,records_without_estimate,"
            + "comparison,reported_tokens,metered_tokens,gap_tokens,slice", lines[0]);
        Assert.Equal(
        [
            "2026-11-01T00:00:00Z,o,openai,gpt-4o-mini-2024-07-18,USD,0.9,0.75,0.15,20,2,0,estimate,,,,",
            "2026-11-01T00:00:00Z,o,openai,gpt-4o-mini-2024-07-18,USD,0.45,0.375,0.075,20,1,0,estimate,,,,outside workspaces",
            "2026-11-01T00:00:00Z,o,openai,gpt-4o-mini-2024-07-18,USD,0.45,0.375,0.075,20,1,0,estimate,,,,unattributed",
            "2026-11-01T00:00:00Z,o,openai,unknown-model,USD,0.01,,,,1,1,estimate,,,,",
        ], lines[1..]);
    }
}
