using Microsoft.Data.Sqlite;
using Monitor.Tests.Support;

namespace Monitor.Tests.Cli;

/// <summary>The real executable: exit codes, one-line errors naming what is wrong, and the verbs end to end.</summary>
public sealed class MonitorCliTests : IDisposable
{
    private readonly TempLedger _dir = new();

    [Fact]
    public async Task UnknownVerb_ExitsTwo()
    {
        var r = await MonitorProcess.RunAsync(_dir.Folder, null, "bogus");

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("'bogus'", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadConfiguration_ListsEveryProblemByKey_AndExitsTwo()
    {
        var config = _dir.File("bad.json", """
            { "Monitor": { "Providers": [ { "Name": "prod", "Kind": "Mistrall", "BaseUrl": "api.mistral.ai", "ApiKeyEnv": "MISTRAL_KEY", "Schedule": "every 5 minutes" },
                                          { "Name": "prod", "Kind": "OpenAI", "BaseUrl": "https://api.openai.com", "ApiKeyEnv": "" } ],
                           "Alerts": { "Email": { "Smtp": { "Security": "Tls" } } } } }
            """);

        var r = await MonitorProcess.RunAsync(_dir.Folder, null, "export", "usage", "--config", config);

        Assert.Equal(2, r.ExitCode);
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("Monitor:Providers:0:Kind: 'Mistrall' is not a provider kind", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Monitor:Providers:0:BaseUrl:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Monitor:Providers:0:Schedule:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Monitor:Providers:1:Name: 'prod' is used by another provider account", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Monitor:Providers:1:ApiKeyEnv: is required", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Monitor:Alerts:Email:Smtp:Security:", StringComparison.Ordinal));
        Assert.Equal(6, lines.Length);
    }

    [Fact]
    public async Task BadBudgets_ListsEveryProblemByKey_AndExitsTwo()
    {
        var config = _dir.File("budgets.json", """
            { "Monitor": { "Budgets": [ { "Name": "eu", "Amount": 0, "Currency": "GBP", "Period": "Fortnight", "TimeZone": "Europe/Pariss",
                                          "Thresholds": [80, -5], "To": ["not-an-address"] } ] } }
            """);

        var r = await MonitorProcess.RunAsync(_dir.Folder, null, "check", "--config", config);

        Assert.Equal(2, r.ExitCode);
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            [
                "Monitor:Budgets:0:Amount: must be positive",
                "Monitor:Budgets:0:Currency: 'GBP' must be USD or EUR",
                "Monitor:Budgets:0:Period: 'Fortnight' must be Day, Week, Month, Quarter or Rolling",
                "Monitor:Budgets:0:TimeZone: 'Europe/Pariss' is not an IANA time zone (Europe/Paris, America/New_York, UTC)",
                "Monitor:Budgets:0:Thresholds:1: -5 must be a percentage above 0 (and at most 1000)",
                "Monitor:Budgets:0:To:0: 'not-an-address' is not an email address",
            ],
            lines);
    }

    [Fact]
    public async Task Check_OnAnEmptyLedger_ReportsAndExitsZero_AndBudgetsExport()
    {
        var config = _dir.File("one-budget.json", """
            { "Monitor": { "Budgets": [ { "Name": "all-usd", "Amount": 50, "Currency": "USD", "Period": "Week", "WeekStart": "Sunday" } ] } }
            """);

        var check = await MonitorProcess.RunAsync(_dir.Folder, null, "check", "--config", config);
        var export = await MonitorProcess.RunAsync(_dir.Folder, null, "export", "budgets", "--config", config, "--to", "2026-11-25T12:00:00Z");

        Assert.Equal(0, check.ExitCode);
        Assert.StartsWith("check as of ", check.Out, StringComparison.Ordinal);
        Assert.Contains("0 new alert(s)", check.Out, StringComparison.Ordinal);
        Assert.Equal(0, export.ExitCode);
        var rows = export.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("name,account,workspace,key_id,model,currency,amount,period,time_zone,period_start,period_end,spent,percent,forecast", rows[0], StringComparison.Ordinal);
        Assert.StartsWith("all-usd,,,,,USD,50,week,UTC,2026-11-22T00:00:00Z,2026-11-29T00:00:00Z,0,0,", rows[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigurationWithSyntaxError_NamesFileAndLine()
    {
        var config = _dir.File("broken.json", "{\n  \"Monitor\": {\n    \"Storage\": { \"Provider\": \"Sqlite\" \n  }\n");

        var r = await MonitorProcess.RunAsync(_dir.Folder, null, "migrate", "--config", config);

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("broken.json: line", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyPastedIntoApiKeyEnv_IsRejectedWithoutEchoingIt()
    {
        var config = _dir.File("key.json", """
            { "Monitor": { "Providers": [ { "Name": "p", "Kind": "OpenAI", "BaseUrl": "https://api.openai.com", "ApiKeyEnv": "sk-admin-abcdefghijklmnopqrstuvwxyz" } ] } }
            """);

        var r = await MonitorProcess.RunAsync(_dir.Folder, null, "migrate", "--config", config);

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("Monitor:Providers:0:ApiKeyEnv:", r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("abcdefghijklmnop", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnvironmentVariable_OverridesConfigurationFile()
    {
        var config = _dir.File("c.json", """{ "Monitor": { "Storage": { "Sqlite": { "Path": "from-file.db" } } } }""");

        var r = await MonitorProcess.RunAsync(_dir.Folder, new Dictionary<string, string> { ["Monitor__Storage__Sqlite__Path"] = "from-env.db" }, "migrate", "--config", config);

        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("from-env.db: applied 0001", r.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_dir.Folder, "from-env.db")));
        Assert.False(File.Exists(Path.Combine(_dir.Folder, "from-file.db")));
    }

    [Fact]
    public async Task ImportBadRow_ExitsTwoNamingLineAndField_ThenGoodFileRoundTripsThroughExportFile()
    {
        var env = new Dictionary<string, string> { ["Monitor__Storage__Sqlite__Path"] = "cli.db" };
        var bad = _dir.File("bad.csv", "bucket_start,bucket_width,provider,account,model,currency\n2026-11-01T00:00:00Z,1h,openai,o,gpt-4o,USD\n2026-11-01,1x,openai,o,gpt-4o,USD\n");
        var good = _dir.File("good.csv", "bucket_start,bucket_width,provider,account,model,input_tokens,currency\n2026-11-01T00:00:00Z,1h,openai,o,gpt-4o,1000,USD\n");

        var failed = await MonitorProcess.RunAsync(_dir.Folder, env, "import", "usage", bad);
        var imported = await MonitorProcess.RunAsync(_dir.Folder, env, "import", "usage", good);
        var exported = await MonitorProcess.RunAsync(_dir.Folder, env, "export", "usage", "--format", "json", "--out", "out.json");

        Assert.Equal(2, failed.ExitCode);
        Assert.Equal("bad.csv: line 3: bucket_width: '1x' is not one of 1m, 1h, 1d, month", failed.Err.Trim());
        Assert.Equal(0, imported.ExitCode);
        Assert.Equal(0, exported.ExitCode);
        var json = await File.ReadAllTextAsync(Path.Combine(_dir.Folder, "out.json"));
        Assert.Contains("\"model\":\"gpt-4o\",\"input_tokens\":1000", json, StringComparison.Ordinal);
        Assert.Contains("\"cost\":0.0025,\"currency\":\"USD\",\"cost_source\":\"estimated\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pull_WithoutProviders_ExitsTwoNamingTheKey()
    {
        var r = await MonitorProcess.RunAsync(_dir.Folder, null, "pull");

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("Monitor:Providers", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pull_BadDate_ExitsTwoNamingTheOption()
    {
        var r = await MonitorProcess.RunAsync(_dir.Folder, null, "pull", "--from", "yesterday");

        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("--from: 'yesterday' is not a date", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DemoOnce_FillsItsOwnLedgerThroughTheRealConnectors()
    {
        var r = await MonitorProcess.RunAsync(_dir.Folder, new Dictionary<string, string> { ["Monitor__Demo__Path"] = "demo.db" }, "demo", "--once");

        Assert.True(r.ExitCode == 0, r.Err);
        await using var c = new SqliteConnection($"Data Source={Path.Combine(_dir.Folder, "demo.db")}");
        await c.OpenAsync();
        await using var q = c.CreateCommand();
        q.CommandText = """
            SELECT (SELECT COUNT(DISTINCT account) FROM usage_records WHERE source = 'demo'),
                   (SELECT COUNT(*) FROM usage_records WHERE source NOT IN ('demo', 'proxy')), -- pulled: demo; metered by the proxy: proxy
                   (SELECT COUNT(DISTINCT model) FROM usage_records WHERE model <> '(unattributed)'),
                   (SELECT COUNT(*) FROM pull_runs WHERE outcome = 'ok'),
                   (SELECT COUNT(*) FROM api_keys WHERE created_at < strftime('%s','now') - 90 * 86400),
                   (SELECT COUNT(*) FROM models WHERE shutdown_at IS NOT NULL AND replacement IS NOT NULL),
                   (SELECT COUNT(*) FROM usage_records WHERE account = 'demo-openai' AND model = '(unattributed)' AND bucket_width = '1d')
            """;
        await using var reader = await q.ExecuteReaderAsync();
        await reader.ReadAsync();
        var scenario = Monitor.Demo.DemoScenario.Create(TimeProvider.System.GetUtcNow());
        var providers = Monitor.Cli.DemoCommand.Accounts.Select(a => a.Mount).ToHashSet();
        Assert.Equal(Monitor.Cli.DemoCommand.Accounts.Count, reader.GetInt64(0)); // every demo account pulled, all labelled demo
        Assert.Equal(0, reader.GetInt64(1));
        Assert.Equal(scenario.Hours.Where(h => providers.Contains(h.Provider)).Select(h => h.Model).Distinct().Count(), reader.GetInt64(2));
        Assert.True(reader.GetInt64(3) >= 4); // inventory and usage runs of both accounts
        Assert.True(reader.GetInt64(4) >= 1); // a key past its rotation age
        Assert.True(reader.GetInt64(5) >= 1); // a deprecated model with its replacement (OpenAI's through the project key)
        Assert.True(reader.GetInt64(6) >= 1); // the batch project's line items name no model: its days are unattributed
        Assert.False(File.Exists(Path.Combine(_dir.Folder, "data", "monitor.db"))); // the demo never touches the real ledger
    }

    public void Dispose() => _dir.Dispose();
}
