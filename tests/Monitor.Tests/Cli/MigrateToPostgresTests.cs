using Monitor.Storage;
using Monitor.Tests.Support;

namespace Monitor.Tests.Cli;

/// <summary>
/// <c>monitor migrate --to-postgres</c> as a user runs it: the demo's SQLite ledger (usage of six providers, metered proxy
/// usage, alerts, sent mail, detector states, inventory) moved into an empty PostgreSQL database by the real executable.
/// </summary>
public sealed class MigrateToPostgresTests : IDisposable
{
    private readonly TempLedger _dir = new();

    [Fact]
    public async Task MigrateToPostgres_DemoLedger_EveryTableAndTotalEqual_ThenAFullTargetIsRefusedUnlessReplaced()
    {
        var demo = await MonitorProcess.RunAsync(_dir.Folder, new Dictionary<string, string> { ["Monitor__Demo__Path"] = "data/demo.db" }, "demo", "--once");
        Assert.True(demo.ExitCode == 0, demo.Err);
        var server = await PostgresServer.GetAsync();
        var connectionString = await server.CreateDatabaseAsync();
        var variable = "MONITOR_TEST_MOVE_" + Guid.NewGuid().ToString("N");
        var environment = new Dictionary<string, string>
        {
            ["Monitor__Storage__Sqlite__Path"] = "data/demo.db",
            ["Monitor__Storage__Postgres__ConnectionStringEnv"] = variable,
            [variable] = connectionString,
        };

        var moved = await MonitorProcess.RunAsync(_dir.Folder, environment, "migrate", "--to-postgres");
        var again = await MonitorProcess.RunAsync(_dir.Folder, environment, "migrate", "--to-postgres");
        var replaced = await MonitorProcess.RunAsync(_dir.Folder, environment, "migrate", "--to-postgres", "--replace");

        Assert.True(moved.ExitCode == 0, moved.Err);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("the PostgreSQL ledger is not empty", again.Err, StringComparison.Ordinal);
        Assert.True(replaced.ExitCode == 0, replaced.Err);
        await using var sqlite = new Database(Path.Combine(_dir.Folder, "data", "demo.db"), TimeSpan.FromSeconds(10));
        await using var postgres = Database.Postgres(connectionString);
        foreach (var (_, sql) in Totals)
            Assert.Equal(await QueryAsync(sqlite, sql), await QueryAsync(postgres, sql));
        var tables = await QueryAsync(sqlite, "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'schema_version' ORDER BY name");
        Assert.Equal(tables, await QueryAsync(postgres,
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT LIKE 'qrtz%' AND table_name <> 'schema_version' ORDER BY 1"));
        foreach (var table in tables)
        {
            var rows = await QueryAsync(sqlite, $"SELECT COUNT(*) FROM {table}");
            Assert.Equal(rows, await QueryAsync(postgres, $"SELECT COUNT(*) FROM {table}"));
            Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"  {table,-24} {long.Parse(rows[0], System.Globalization.CultureInfo.InvariantCulture),12:N0} rows"), replaced.Out, StringComparison.Ordinal);
        }

        Assert.NotEqual(["0"], await QueryAsync(postgres, "SELECT COUNT(*) FROM alerts"));
        // Ids go on after the copied ones: a new alert on PostgreSQL does not collide.
        Assert.Equal(
            await QueryAsync(sqlite, "SELECT MAX(id) + 1 FROM ingest_batches"),
            await QueryAsync(postgres, "INSERT INTO ingest_batches (kind, started_at) VALUES ('test', 0) RETURNING id"));
    }

    /// <summary>What must read the same on both: usage per account and currency, the rollup, alerts and the outbox.</summary>
    private static readonly (string Name, string Sql)[] Totals =
    [
        ("usage", "SELECT account || ' ' || currency || ' ' || counted || ' ' || SUM(COALESCE(cost_micros, 0)) || ' ' || SUM(input_tokens + output_tokens) || ' ' || SUM(requests) FROM usage_records GROUP BY account, currency, counted ORDER BY 1"),
        ("rollup", "SELECT account || ' ' || currency || ' ' || SUM(cost_micros) || ' ' || SUM(requests) FROM usage_daily GROUP BY account, currency ORDER BY 1"),
        ("alerts", "SELECT kind || ' ' || status || ' ' || COUNT(*) FROM alerts GROUP BY kind, status ORDER BY 1"),
        ("outbox", "SELECT channel || ' ' || COUNT(*) || ' ' || COUNT(sent_at) || ' ' || SUM(LENGTH(payload)) FROM outbox GROUP BY channel ORDER BY 1"),
        ("routes", "SELECT channel || ' ' || delivery || ' ' || COUNT(*) FROM alert_routes GROUP BY channel, delivery ORDER BY 1"),
        ("proxy", "SELECT account || ' ' || status || ' ' || SUM(requests) FROM proxy_requests GROUP BY account, status ORDER BY 1"),
        ("states", "SELECT COUNT(*) || ' ' || COUNT(state) FROM anomaly_states"),
    ];

    private static async Task<List<string>> QueryAsync(Database database, string sql)
    {
        await using var c = await database.OpenAsync(CancellationToken.None);
        return [.. (await Dapper.SqlMapper.QueryAsync<object>(c, sql)).Select(r => Convert.ToString(((IDictionary<string, object>)r).Values.Single(), System.Globalization.CultureInfo.InvariantCulture)!)];
    }

    public void Dispose() => _dir.Dispose();
}
