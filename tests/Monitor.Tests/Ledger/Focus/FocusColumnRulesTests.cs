using Monitor.Ledger.Focus;

namespace Monitor.Tests.Ledger.Focus;

/// <summary>The CSV and Parquet of <c>export focus</c> on the demo ledger against the published FOCUS column rules (<see cref="FocusSpecRules"/>).</summary>
public sealed class FocusColumnRulesTests(FocusDemoLedger demo) : IClassFixture<FocusDemoLedger>
{
    [Fact]
    public async Task ExportFocus_DemoLedgerCsv_MeetsEveryColumnRule()
    {
        var table = FocusTable.FromCsv(demo.Csv);

        Assert.Empty(FocusValidator.Validate(table, await SecretsAsync()));
        Assert.Equal(FocusColumns.Names, table.Columns);
    }

    [Fact]
    public async Task ExportFocus_DemoLedgerParquet_MeetsEveryColumnRuleAndTypes()
    {
        var table = await FocusTable.FromParquetAsync(demo.ParquetPath);

        Assert.Empty(FocusValidator.Validate(table, await SecretsAsync()));
        Assert.Equal(demo.ParquetRows, table.Rows.Count);
    }

    [Fact]
    public async Task ExportFocus_ParquetReadBack_EqualsCsvRowForRow()
    {
        var csv = FocusTable.FromCsv(demo.Csv);
        var parquet = await FocusTable.FromParquetAsync(demo.ParquetPath);

        Assert.Equal(csv.Columns, parquet.Columns);
        Assert.Equal(csv.Rows.Count, parquet.Rows.Count);
        for (var r = 0; r < csv.Rows.Count; r++)
            Assert.Equal(csv.Rows[r], parquet.Rows[r]);
    }

    [Fact]
    public async Task ExportFocus_DemoLedger_EveryTokenClassAndBothCurrenciesAreThere()
    {
        var table = FocusTable.FromCsv(demo.Csv);

        Assert.Equal(["Cache Read Input Tokens", "Cache Write Input Tokens", "Input Tokens", "Output Tokens"],
            table.Values("SkuMeter").OfType<string>().Distinct().Order());
        Assert.Equal(["EUR", "USD"], table.Values("BillingCurrency").OfType<string>().Distinct().Order());
        Assert.Contains(table.Values("SkuPriceDetails"), d => d is not null && d.Contains("\"TokenCacheAction\":\"Uncached\"", StringComparison.Ordinal)); // Anthropic meters cache writes apart
        Assert.Equal(["Read", "Uncached", "Write"], table.Values("x_TokenCacheAction").OfType<string>().Distinct().Order());
        Assert.Equal(["Input", "Output"], table.Values("x_TokenDirection").OfType<string>().Distinct().Order());
        Assert.Contains(table.Values("CredentialId"), c => c is not null);
        Assert.Contains(table.Values("SubAccountId"), s => s is not null);
    }

    [Fact]
    public void Validate_BrokenRows_ReportsEachBrokenRule()
    {
        var table = FocusTable.FromCsv(demo.Csv);
        var row = (string?[])table.Rows[0].Clone();
        row[table.Index("ChargeCategory")] = "Spend";
        row[table.Index("BillingCurrency")] = "XYZ";
        row[table.Index("ChargePeriodEnd")] = row[table.Index("ChargePeriodStart")];
        row[table.Index("BilledCost")] = "1e3";
        row[table.Index("CredentialId")] = "sk-live-0123456789";
        row[table.Index("SkuPriceDetails")] = """{"TokenDirection":"Sideways","Model":"x"}""";
        var broken = table with { Columns = [.. table.Columns, "Custom", "ModelId"], Rows = [[.. row, "x", "gpt-5"]] };

        var errors = FocusValidator.Validate(broken, ["0123456789"]);

        Assert.Contains(errors, e => e.Contains("ChargeCategory 'Spend' is not an allowed value", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'XYZ' is not an ISO 4217 code", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ChargePeriodEnd is not after ChargePeriodStart", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("BilledCost '1e3' is not Decimal", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("holds key material", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("TokenDirection 'Sideways'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'Model' is neither FOCUS-defined nor x_-prefixed", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Custom: a custom column without the x_ prefix", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ModelId: a custom column without the x_ prefix", StringComparison.Ordinal)); // a draft property, not a FOCUS column
    }

    [Fact]
    public void Validate_PropertyColumnsNotMatchingSkuPriceDetails_ReportsEach()
    {
        var table = FocusTable.FromCsv(demo.Csv);
        var input = table.Rows.First(r => r[table.Index("x_TokenCacheAction")] == "Uncached");
        var row = (string?[])input.Clone();
        row[table.Index("x_TokenCacheAction")] = "Hit";
        row[table.Index("x_TokenDirection")] = "Output";
        row[table.Index("x_ModelId")] = null;

        var errors = FocusValidator.Validate(table with { Rows = [input, row] }, []);

        Assert.Equal(5, errors.Count);
        Assert.All(errors, e => Assert.StartsWith("row 1: ", e, StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("row 1: x_TokenCacheAction 'Hit' is not an allowed value", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("row 1: x_TokenCacheAction 'Hit' differs from SkuPriceDetails TokenCacheAction", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("row 1: x_TokenDirection 'Output' differs from SkuPriceDetails TokenDirection", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("row 1: x_ModelId '' differs from SkuPriceDetails ModelId", StringComparison.Ordinal));
        Assert.Contains("row 1: x_TokenDirection without an x_ModelId", errors);
    }

    /// <summary>What a CredentialId must never contain: the keys the harness configured, and every fingerprint the ledger holds.</summary>
    private async Task<IReadOnlyCollection<string>> SecretsAsync()
    {
        var fingerprints = await demo.Harness.Ledger.QueryAsync<string>(
            "SELECT key_fingerprint FROM usage_records WHERE key_fingerprint IS NOT NULL UNION SELECT fingerprint FROM api_keys WHERE fingerprint IS NOT NULL");
        return [.. fingerprints, Environment.GetEnvironmentVariable(demo.Harness.KeyVariable)!, Environment.GetEnvironmentVariable(demo.Harness.KeyVariable + "_MODELS")!];
    }
}
