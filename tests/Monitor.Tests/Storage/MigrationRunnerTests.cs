using Monitor.Storage;
using Monitor.Tests.Support;

namespace Monitor.Tests.Storage;

public sealed class MigrationRunnerTests
{
    [Fact]
    public async Task MigrateAsync_FromEmptyFile_CreatesEveryTableInWalMode()
    {
        using var ledger = new TempLedger();

        var tables = await ledger.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
        var journal = await ledger.ScalarAsync<string>("PRAGMA journal_mode");
        var version = await ledger.ScalarAsync<long>("SELECT MAX(version) FROM schema_version");

        Assert.Superset(new HashSet<string> { "usage_records", "pull_runs", "watermarks", "api_keys", "models", "alerts", "spend_limits", "schema_version", "ingest_batches" }, tables.ToHashSet());
        Assert.Equal("wal", journal);
        Assert.Equal(MigrationRunner.For(SqlDialect.Sqlite)[^1].Version, version);
    }

    [Fact]
    public async Task MigrateAsync_Twice_AppliesNothingTheSecondTime()
    {
        using var ledger = new TempLedger();

        var applied = await new MigrationRunner(ledger.Database, ledger.Clock).MigrateAsync(CancellationToken.None);

        Assert.Empty(applied);
        Assert.Equal(MigrationRunner.For(SqlDialect.Sqlite).Count, await ledger.ScalarAsync<long>("SELECT COUNT(*) FROM schema_version"));
    }
}

/// <summary>The migrations on a real PostgreSQL server (Debian's, started by the fixture): schema, Quartz's tables, and two nodes starting at once.</summary>
public sealed class PostgresMigrationTests
{
    [Fact]
    public async Task MigrateAsync_OnPostgres_CreatesTheLedgerAndQuartzTables_AndTheSameColumnsAsSqlite()
    {
        var server = await PostgresServer.GetAsync();
        await using var database = Database.Postgres(await server.CreateDatabaseAsync());

        var applied = await new MigrationRunner(database, TimeProvider.System).MigrateAsync(CancellationToken.None);

        Assert.Equal(MigrationRunner.For(SqlDialect.Postgres).Select(m => m.Version), applied);
        await using var c = await database.OpenAsync(CancellationToken.None);
        var pgColumns = (await Dapper.SqlMapper.QueryAsync<(string, string)>(c,
            "SELECT table_name::text, column_name::text FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE 'qrtz%'")).ToHashSet();
        Assert.Contains(("qrtz_triggers", "next_fire_time"), (await Dapper.SqlMapper.QueryAsync<(string, string)>(c,
            "SELECT table_name::text, column_name::text FROM information_schema.columns WHERE table_name = 'qrtz_triggers'")).ToHashSet());

        using var sqlite = new TempLedger();
        var sqliteColumns = new HashSet<(string, string)>();
        foreach (var table in await sqlite.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table'"))
        {
            foreach (var column in await sqlite.QueryAsync<string>($"SELECT name FROM pragma_table_info('{table}')"))
                sqliteColumns.Add((table, column));
        }

        Assert.Equal(sqliteColumns.Order(), pgColumns.Order());
    }

    [Fact]
    public async Task MigrateAsync_TwoNodesAtOnce_OneAppliesEachStepAndBothSucceed()
    {
        var server = await PostgresServer.GetAsync();
        var connectionString = await server.CreateDatabaseAsync();
        await using var a = Database.Postgres(connectionString);
        await using var b = Database.Postgres(connectionString);

        var results = await Task.WhenAll(
            new MigrationRunner(a, TimeProvider.System).MigrateAsync(CancellationToken.None),
            new MigrationRunner(b, TimeProvider.System).MigrateAsync(CancellationToken.None));

        Assert.Equal(MigrationRunner.For(SqlDialect.Postgres).Select(m => m.Version).Order(), results.SelectMany(r => r).Order());
    }
}

public sealed class MigrationListTests
{
    [Theory]
    [InlineData(SqlDialect.Sqlite)]
    [InlineData(SqlDialect.Postgres)]
    public void For_EachDialect_HasEveryVersionOnce(SqlDialect dialect)
    {
        var versions = MigrationRunner.For(dialect).Select(m => m.Version).ToList();

        Assert.Equal(versions.Distinct().Order(), versions);
    }
}
