using System.Globalization;
using Monitor.Tests.Checks;
using Monitor.Tests.Support;

namespace Monitor.Tests.Cli;

/// <summary>
/// <c>monitor alerts list|ack|false|mute</c> through the real executable, on the demo ledger after <c>monitor check</c>
/// raised its support-key anomaly.
/// </summary>
public sealed class AlertsCommandTests
{
    private static readonly DateTimeOffset End = AnomalyEvaluatorTests.Demo.End;
    private const string Key = "key_support";

    [Fact]
    public async Task Ack_RaisedAnomaly_LeavesTheOpenListAndShowsAsAcknowledged()
    {
        using var ledger = await CheckedLedgerAsync();
        var id = await AnomalyIdAsync(ledger);

        var ack = await RunAsync(ledger, "alerts", "ack", id, "--note", "rotating the key");

        Assert.Equal(0, ack.ExitCode);
        Assert.Equal($"alert {id}: acknowledged", ack.Out.Trim());
        Assert.DoesNotContain(Lines(await RunAsync(ledger, "alerts", "list")), l => l.StartsWith(id + "\t", StringComparison.Ordinal));
        var all = Assert.Single(Lines(await RunAsync(ledger, "alerts", "list", "--status", "all")), l => l.StartsWith(id + "\t", StringComparison.Ordinal));
        Assert.Equal("acknowledged", all.Split('\t')[3]);
        Assert.Equal("rotating the key", await ledger.ScalarAsync<string>("SELECT handled_note FROM alerts WHERE id = @id", new { id = long.Parse(id, CultureInfo.InvariantCulture) }));
    }

    [Fact]
    public async Task False_RaisedAnomaly_IsStoredAsFalse()
    {
        using var ledger = await CheckedLedgerAsync();
        var id = await AnomalyIdAsync(ledger);

        var r = await RunAsync(ledger, "alerts", "false", id);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("false", await ledger.ScalarAsync<string>("SELECT status FROM alerts WHERE id = @id", new { id = long.Parse(id, CultureInfo.InvariantCulture) }));
    }

    [Fact]
    public async Task Mute_RaisedAnomaly_CreatesAMuteRowForItsScopeAndLeavesTheOpenList()
    {
        using var ledger = await CheckedLedgerAsync();
        var id = await AnomalyIdAsync(ledger);

        var m = await RunAsync(ledger, "alerts", "mute", id, "--until", End.AddDays(2).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), "--reason", "load test");

        Assert.Equal(0, m.ExitCode);
        Assert.StartsWith($"alert {id}: muted until {End.AddDays(2):yyyy-MM-dd HH:mm} UTC", m.Out, StringComparison.Ordinal);
        Assert.Equal(1, await ledger.ScalarAsync<long>(
            "SELECT COUNT(*) FROM mutes WHERE key_id = @Key AND workspace = 'proj_support' AND reason = 'load test' AND until_at = @until",
            new { Key, until = End.AddDays(2).ToUnixTimeSeconds() }));
        Assert.DoesNotContain(Lines(await RunAsync(ledger, "alerts", "list")), l => l.StartsWith(id + "\t", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ack")]
    [InlineData("false")]
    [InlineData("mute")]
    public async Task Handle_UnknownId_ExitsTwoNamingTheId(string verb)
    {
        using var ledger = new TempLedger();
        string[] args = verb == "mute" ? ["alerts", verb, "999", "--until", "2026-12-01"] : ["alerts", verb, "999"];

        var r = await RunAsync(ledger, args);

        Assert.Equal(2, r.ExitCode);
        Assert.Equal("monitor alerts: no alert with id 999", r.Err.Trim());
    }

    private static async Task<TempLedger> CheckedLedgerAsync()
    {
        var ledger = await AnomalyEvaluatorTests.DemoLedgerAsync(End, Monitor.Storage.SqlDialect.Sqlite);
        var check = await RunAsync(ledger, "check", "--as-of", End.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), "--no-send");
        Assert.Equal(0, check.ExitCode);
        return ledger;
    }

    private static async Task<string> AnomalyIdAsync(TempLedger ledger)
    {
        var line = Assert.Single(Lines(await RunAsync(ledger, "alerts", "list")), l => l.Contains("\tanomaly\t", StringComparison.Ordinal) && l.Contains("key " + Key, StringComparison.Ordinal));
        return line.Split('\t')[0];
    }

    private static string[] Lines(MonitorProcess.Result r) => r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static Task<MonitorProcess.Result> RunAsync(TempLedger ledger, params string[] args) =>
        MonitorProcess.RunAsync(ledger.Folder, new Dictionary<string, string> { ["Monitor__Storage__Sqlite__Path"] = ledger.Path }, args);
}
