using Microsoft.Data.Sqlite;
using Monitor.Storage;

namespace Monitor.Benchmarks;

/// <summary>A fresh, migrated (WAL) SQLite ledger in the temp folder, deleted with its -wal and -shm files on dispose.</summary>
public sealed class BenchLedger : IDisposable
{
    private BenchLedger(string path)
    {
        Path = path;
        Database = new Database(path, TimeSpan.FromSeconds(30));
    }

    public string Path { get; }
    public Database Database { get; }

    public static async Task<BenchLedger> CreateAsync(CancellationToken ct)
    {
        var ledger = new BenchLedger(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"monitor-bench-{Guid.NewGuid():N}.db"));
        await new MigrationRunner(ledger.Database, TimeProvider.System).MigrateAsync(ct);
        return ledger;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools(); // the Database pools connections: release the file before deleting it
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            File.Delete(Path + suffix);
    }
}
