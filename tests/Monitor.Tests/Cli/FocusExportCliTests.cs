using Monitor.Ledger.Focus;
using Monitor.Tests.Ledger.Focus;
using Monitor.Tests.Support;

namespace Monitor.Tests.Cli;

/// <summary><c>monitor export focus</c> as a user runs it: its formats, and one-line errors for the ones that cannot be.</summary>
public sealed class FocusExportCliTests : IDisposable
{
    private readonly TempLedger _dir = new();

    [Fact]
    public async Task ExportFocus_ParquetWithoutOut_ExitsTwoAndAsksForAFile()
    {
        var r = await MonitorProcess.RunAsync(_dir.Folder, _dir.ProcessEnvironment(), "export", "focus", "--format", "parquet");

        Assert.Equal(2, r.ExitCode);
        Assert.Equal("export focus: --format parquet needs --out FILE (Parquet is not written to standard output)", r.Err.Trim());
        Assert.Empty(r.Out);
    }

    [Fact]
    public async Task ExportUsage_FormatParquet_ExitsTwoAndNamesFocus()
    {
        var r = await MonitorProcess.RunAsync(_dir.Folder, _dir.ProcessEnvironment(), "export", "usage", "--format", "parquet", "--out", "usage.parquet");

        Assert.Equal(2, r.ExitCode);
        Assert.Equal("export usage: --format parquet is only for 'export focus' (use csv or json)", r.Err.Trim());
        Assert.False(File.Exists(Path.Combine(_dir.Folder, "usage.parquet")));
    }

    [Fact]
    public async Task ExportFocus_FormatJson_ExitsTwo()
    {
        var r = await MonitorProcess.RunAsync(_dir.Folder, _dir.ProcessEnvironment(), "export", "focus", "--format", "json");

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("not a FOCUS format (use csv or parquet)", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportFocus_CsvAndParquetOfAnEmptyWindow_WriteTheColumnsAndNoRow()
    {
        var csv = await MonitorProcess.RunAsync(_dir.Folder, _dir.ProcessEnvironment(), "export", "focus", "--from", "2026-11-01", "--to", "2026-12-01");
        var parquet = await MonitorProcess.RunAsync(_dir.Folder, _dir.ProcessEnvironment(), "export", "focus", "--format", "parquet", "--out", "focus.parquet");

        Assert.True(csv.ExitCode == 0, csv.Err);
        Assert.Equal(string.Join(',', FocusColumns.Names), csv.Out.Trim());
        Assert.True(parquet.ExitCode == 0, parquet.Err);
        Assert.Equal("focus.parquet: 0 rows", parquet.Err.Trim());
        var table = await FocusTable.FromParquetAsync(Path.Combine(_dir.Folder, "focus.parquet"));
        Assert.Equal(FocusColumns.Names, table.Columns);
        Assert.Empty(table.Rows);
        Assert.False(File.Exists(Path.Combine(_dir.Folder, "focus.parquet.partial")));
    }

    public void Dispose() => _dir.Dispose();
}
