using Monitor.Tests.Support;

namespace Monitor.Tests.Ledger.Focus;

/// <summary>
/// <c>export focus</c> of the demo ledger's 2026-11-21 00:00 to 06:00 UTC against the checked-in golden file. A deliberate change of the
/// export regenerates it (then review the diff):
/// <code>MONITOR_REGENERATE_GOLDEN=1 dotnet test tests/Monitor.Tests -c Release --filter FullyQualifiedName~FocusGolden</code>
/// </summary>
public sealed class FocusGoldenTests(FocusDemoLedger demo) : IClassFixture<FocusDemoLedger>
{
    private static readonly string Golden = Path.Combine(RepositoryRoot(), "tests", "Fixtures", "focus", "demo-2026-11-21T00-06.csv");

    [Fact]
    public void ExportFocusCsv_DemoLedgerDay_MatchesGoldenFile()
    {
        if (Environment.GetEnvironmentVariable("MONITOR_REGENERATE_GOLDEN") == "1")
            File.WriteAllText(Golden, demo.Csv);

        var expected = File.ReadAllText(Golden).ReplaceLineEndings("\n");

        Assert.True(demo.Csv.Length > 0 && demo.Csv.Split('\n').Length > 10, "the demo day exports rows");
        Assert.Equal(expected, demo.Csv);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Monitor.sln")))
                return dir.FullName;
        }

        throw new InvalidOperationException("Monitor.sln not found above " + AppContext.BaseDirectory);
    }
}
