using Monitor.Ledger.Focus;
using Monitor.Tests.Support;

namespace Monitor.Tests.Ledger.Focus;

/// <summary>
/// The demo ledger at the demo's fixed now (2026-11-22 15:30 UTC): the real connectors pull the fake Mistral, OpenAI and
/// Anthropic over HTTP (three days), and <c>export focus</c> of 2026-11-21 00:00 to 06:00 UTC is written once as CSV and as Parquet.
/// </summary>
public sealed class FocusDemoLedger : IAsyncLifetime
{
    public static readonly DateTimeOffset From = new(2026, 11, 21, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset To = new(2026, 11, 21, 6, 0, 0, TimeSpan.Zero);

    private static readonly (string Prefix, string Kind)[] Accounts = [("mistral", "Mistral"), ("openai", "OpenAI"), ("anthropic", "Anthropic")];

    private PullHarness? _harness;

    public PullHarness Harness => _harness!;

    public string Csv { get; private set; } = "";

    public string ParquetPath { get; private set; } = "";

    public long ParquetRows { get; private set; }

    public async Task InitializeAsync()
    {
        _harness = await PullHarness.StartAsync(days: 3, accounts: Accounts);
        var results = await _harness.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None);
        Assert.All(results, r => Assert.True(r.Ok, r.Error));

        var exporter = _harness.Get<FocusExporter>();
        await using (var csv = new StringWriter { NewLine = "\n" })
        {
            await exporter.WriteCsvAsync(csv, From, To, CancellationToken.None);
            Csv = csv.ToString();
        }

        ParquetPath = Path.Combine(_harness.Ledger.Folder, "focus.parquet");
        await using var file = File.Create(ParquetPath);
        ParquetRows = await exporter.WriteParquetAsync(file, From, To, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_harness is not null)
            await _harness.DisposeAsync();
    }
}
