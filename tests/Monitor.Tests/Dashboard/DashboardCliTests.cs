using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Tests.Support;

namespace Monitor.Tests.Dashboard;

/// <summary>The real executable: <c>monitor report</c> and the refusal to serve beyond loopback without authentication.</summary>
public sealed class DashboardCliTests : IDisposable
{
    private readonly TempLedger _ledger = new(TimeProvider.System.GetUtcNow());

    [Fact]
    public async Task Report_SeededLedger_WritesPagesWithChartFilesBesideThem()
    {
        var today = TimeProvider.System.GetUtcNow().UtcDateTime.Date;
        await LedgerSeed.WriteAsync(_ledger.Database, _ledger.Clock.GetUtcNow(),
            LedgerSeed.Day("mistral-eu", ProviderKind.Mistral, "=cmd|' /C calc'!A0", new DateTimeOffset(today, TimeSpan.Zero), 12.5m, Currency.EUR));
        var output = Path.Combine(_ledger.Folder, "report");

        var r = await MonitorProcess.RunAsync(_ledger.Folder, Environment(), "report", "--out", output);

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("report: 1 pages and 2 charts", r.Out, StringComparison.Ordinal);
        var html = await File.ReadAllTextAsync(Path.Combine(output, "index.html"));
        Assert.Contains("<img src=\"overview-2-EUR.png\"", html, StringComparison.Ordinal);
        Assert.Contains("<img src=\"overview-5.png\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<form", html, StringComparison.Ordinal);
        Assert.Contains("EUR 12.50", html, StringComparison.Ordinal);
        var png = await File.ReadAllBytesAsync(Path.Combine(output, "overview-2-EUR.png"));
        Assert.Equal([0x89, 0x50, 0x4E, 0x47], png[..4]);
    }

    [Fact]
    public async Task Serve_BeyondLoopbackWithoutAuth_ExitsTwoNamingTheKey()
    {
        var env = Environment();
        env["Monitor__Dashboard__Urls"] = "http://0.0.0.0:5999";

        var r = await MonitorProcess.RunAsync(_ledger.Folder, env, "serve");

        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("Monitor:Dashboard:Auth:TokenEnv: required because Monitor:Dashboard:Urls binds 'http://0.0.0.0:5999' beyond loopback", r.Err, StringComparison.Ordinal);
    }

    private Dictionary<string, string> Environment() => new() { ["Monitor__Storage__Sqlite__Path"] = _ledger.Path };

    public void Dispose() => _ledger.Dispose();
}
