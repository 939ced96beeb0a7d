using System.Globalization;
using Monitor.Tests.Support;

namespace Monitor.Tests.Cli;

public sealed class DetectCommandTests
{
    [Fact]
    public async Task Detect_HourlySeriesWithSpike_WritesScoresAndFlagsTheSpike()
    {
        using var folder = new TempLedger();
        var lines = Enumerable.Range(0, 600).Select(i =>
        {
            var value = i == 500 ? 900 : 10 + 5 * Math.Sin(i * Math.PI / 12);
            return string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.FromUnixTimeSeconds(1_767_225_600L + i * 3600L):yyyy-MM-dd HH:mm:ss},{value:0.###}");
        });
        var input = folder.File("series.csv", "timestamp,value\n" + string.Join('\n', lines) + "\n");
        var output = Path.Combine(folder.Folder, "scored.csv");

        var result = await MonitorProcess.RunAsync(folder.Folder, null, "detect", "--input", input, "--output", output);

        Assert.Equal(0, result.ExitCode);
        var rows = await File.ReadAllLinesAsync(output);
        Assert.Equal("timestamp,value,anomaly_score", rows[0]);
        Assert.Equal(601, rows.Length);
        Assert.Equal("2026-01-01 00:00:00,10,0", rows[1]);
        var scores = rows[1..].Select(r => double.Parse(r.Split(',')[2], CultureInfo.InvariantCulture)).ToArray();
        Assert.True(scores[500] > 0.99);
        Assert.True(scores[200..500].Max() < 0.5);
    }

    [Fact]
    public async Task Detect_TimestampsGoingBackAndRepeating_ScoresEveryRowInFileOrderAndWarnsOnce()
    {
        // An hour repeated (a clock set back) and a duplicated row, as in several of the NAB series.
        using var folder = new TempLedger();
        var times = Enumerable.Range(0, 400).Select(i => 1_767_225_600L + i * 3600L).ToList();
        times.Insert(301, times[299]);
        times.Insert(351, times[350]);
        var lines = times.Select((t, i) => string.Create(CultureInfo.InvariantCulture, $"{t},{(i == 380 ? 900 : 10 + i % 3)}"));
        var input = folder.File("clock.csv", "timestamp,value\n" + string.Join('\n', lines) + "\n");
        var output = Path.Combine(folder.Folder, "scored.csv");

        var result = await MonitorProcess.RunAsync(folder.Folder, null, "detect", "--input", input, "--output", output);

        Assert.Equal(0, result.ExitCode);
        var warnings = result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains("not after the line before", StringComparison.Ordinal)).ToList();
        Assert.Equal($"{input}: line 303: timestamp: '{times[299]}' is not after the line before; 2 such lines, scored in file order", Assert.Single(warnings));
        var rows = (await File.ReadAllLinesAsync(output))[1..];
        Assert.Equal(times.Select(t => t.ToString(CultureInfo.InvariantCulture)), rows.Select(r => r.Split(',')[0]));
        Assert.True(double.Parse(rows[380].Split(',')[2], CultureInfo.InvariantCulture) > 0.9);
    }

    [Fact]
    public async Task Detect_BadValue_ExitsTwoNamingFileLineAndField()
    {
        using var folder = new TempLedger();
        var input = folder.File("bad.csv", "timestamp,value\n1767225600,3\n1767229200,abc\n");

        var result = await MonitorProcess.RunAsync(folder.Folder, null, "detect", "--input", input, "--output", Path.Combine(folder.Folder, "o.csv"));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"{input}: line 3: value: 'abc' is not a number", result.Err.Trim());
    }
}
