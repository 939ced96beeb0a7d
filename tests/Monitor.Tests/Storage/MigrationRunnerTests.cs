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
        Assert.Equal(MigrationRunner.Available[^1].Version, version);
    }

    [Fact]
    public async Task MigrateAsync_Twice_AppliesNothingTheSecondTime()
    {
        using var ledger = new TempLedger();

        var applied = await new MigrationRunner(ledger.Database, ledger.Clock).MigrateAsync(CancellationToken.None);

        Assert.Empty(applied);
        Assert.Equal(MigrationRunner.Available.Count, await ledger.ScalarAsync<long>("SELECT COUNT(*) FROM schema_version"));
    }
}
