using Dapper;
using Microsoft.Data.Sqlite;
using Monitor.Cli;
using Monitor.Hosting;
using Monitor.Tests.Support;

namespace Monitor.Tests.Cli;

/// <summary><c>monitor demo --once</c> as a user runs it: the real executable, no configuration, alerts and their mail included.</summary>
public sealed class DemoCommandTests : IDisposable
{
    private readonly TempLedger _dir = new();

    [Fact]
    public async Task DemoOnce_NoConfiguration_RaisesOpenAlertsAndWritesTheirMailToTheDemoOutbox()
    {
        var r = await MonitorProcess.RunAsync(_dir.Folder, new Dictionary<string, string> { ["Monitor__Demo__Path"] = "data/demo.db" }, "demo", "--once");

        Assert.True(r.ExitCode == 0, r.Err);
        var outbox = Path.Combine(_dir.Folder, "data", "demo-outbox");
        var mails = Directory.GetFiles(outbox, "*.eml");
        Assert.NotEmpty(mails);
        await using var c = new SqliteConnection($"Data Source={Path.Combine(_dir.Folder, "data", "demo.db")}");
        var open = (await c.QueryAsync<(string Kind, string? KeyId, string? Model, string? Account)>(
            "SELECT kind, key_id, model, account FROM alerts WHERE status IN ('open', 'sent')")).ToList();
        Assert.Contains(open, a => a.Kind == "anomaly" && a.KeyId == "key_support"); // the incident
        Assert.Contains(open, a => a.Kind == "budget_threshold" && a.KeyId == "key_support"); // the incident key's weekly budget
        Assert.Contains(open, a => a.Kind == "deprecation" && a.Model == "mistral-medium-2505");
        Assert.Contains(open, a => a.Kind == "key_rotation");
        Assert.Equal("demo-mistral", Assert.Single(open, a => a.Kind == "unmetered_usage").Account); // one team's key went through the proxy
        Assert.Contains($"demo: {open.Count} open alert(s), {open.Count} new; {mails.Length} message(s) delivered (mail as .eml files in {outbox})", r.Out, StringComparison.Ordinal);
        var subjects = mails.Select(m => File.ReadLines(m).First(l => l.StartsWith("Subject: ", StringComparison.Ordinal))).ToList();
        Assert.Contains(subjects, s => s.StartsWith("Subject: [Anomaly] demo-openai key support assistant", StringComparison.Ordinal));
        Assert.All(mails, m => Assert.Contains(File.ReadLines(m), l => l.StartsWith("To: ", StringComparison.Ordinal) && l.Contains("finops@example.com", StringComparison.Ordinal)));
        Assert.False(Directory.Exists(Path.Combine(_dir.Folder, "data", "outbox"))); // the real outbox is never touched
        // Three developers called the fake Mistral through the metering proxy: metered per key, kept beside the API's usage.
        var proxied = (await c.QueryAsync<(string Fingerprint, long Counted, long Requests)>(
            """
            SELECT key_fingerprint, MAX(counted), SUM(requests) FROM usage_records
            WHERE account = 'demo-mistral' AND source = 'proxy' AND bucket_start >= CAST(strftime('%s', 'now', 'start of day') AS INTEGER)
            GROUP BY 1
            """)).ToList(); // today's calls; yesterday's metered history (one team's key) feeds the unmetered finding
        Assert.Equal([(0L, 3L), (0L, 5L), (0L, 9L)], proxied.Select(p => (p.Counted, p.Requests)).Order());
        Assert.Contains("demo: 17 calls of three developers through the metering proxy to demo-mistral", r.Err, StringComparison.Ordinal);

        // The reconciliation shows, per provider, the parts of the bill no key or model explains on lines of their own.
        var export = await MonitorProcess.RunAsync(_dir.Folder, new Dictionary<string, string> { ["Monitor__Storage__Sqlite__Path"] = "data/demo.db" },
            "export", "reconciliation");
        Assert.True(export.ExitCode == 0, export.Err);
        var slices = export.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.TrimEnd('\r').Split(','))
            .Select(f => (Account: f[1], Slice: f[^1])).Distinct().ToList();
        Assert.Contains(("demo-openai", "unattributed"), slices);     // cost line items that name no model
        Assert.Contains(("demo-openrouter", "unattributed"), slices); // a deleted key's use
        Assert.Contains(("demo-openrouter", "byok"), slices);
        Assert.All(["demo-mistral", "demo-anthropic", "demo-kilo", "demo-litellm"], a => Assert.Contains((a, ""), slices));
    }

    [Fact]
    public void UseDemoAlerting_NothingConfigured_DemoBudgetsAndDemoOutboxBesideTheLedger()
    {
        var o = new MonitorOptions { Demo = { Path = Path.Combine(_dir.Folder, "data", "demo.db") } };
        List<BudgetOptions> demo = [new() { Name = "demo" }];

        DemoCommand.UseDemoAlerting(o, demo);

        Assert.Same(demo, o.Budgets);
        Assert.Equal(Path.Combine(_dir.Folder, "data", "demo-outbox"), o.Alerts.Email.PickupDirectory);
        Assert.Equal([DemoCommand.DemoRecipient], o.Alerts.Email.To);
    }

    [Fact]
    public void UseDemoAlerting_BudgetsAndSmtpConfigured_KeepsThemAndTheirRecipients()
    {
        var o = new MonitorOptions { Budgets = [new() { Name = "mine" }] };
        o.Alerts.Email.Smtp.Host = "smtp.example.com";
        o.Alerts.Email.PickupDirectory = "data/outbox";

        DemoCommand.UseDemoAlerting(o, [new() { Name = "demo" }]);

        Assert.Equal(["mine"], o.Budgets.Select(b => b.Name));
        Assert.Equal(("data/outbox", 0), (o.Alerts.Email.PickupDirectory, o.Alerts.Email.To.Count));
    }

    public void Dispose() => _dir.Dispose();
}
