using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Monitor.Storage;
using Npgsql;

namespace Monitor.Benchmarks;

/// <summary>
/// A fresh, migrated ledger: a (WAL) SQLite file in the temp folder, deleted with its -wal and -shm files on dispose, or,
/// given a PostgreSQL server (<c>--only postgres</c>), a database of its own created on it and dropped on dispose.
/// <see cref="Settings"/> is the storage configuration that points a host at it.
/// </summary>
public sealed class BenchLedger : IDisposable
{
    private static int _databases;
    private readonly string? _server;
    private readonly string? _name;
    private readonly string? _variable;

    private BenchLedger(string path)
    {
        Path = path;
        Database = new Database(path, TimeSpan.FromSeconds(30));
        Settings = new Dictionary<string, string?> { ["Monitor:Storage:Sqlite:Path"] = path };
    }

    private BenchLedger(string server, string name)
    {
        (_server, _name, Path) = (server, name, "");
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        Database = Database.Postgres(connectionString);
        _variable = "MONITOR_BENCH_PG_" + name.ToUpperInvariant();
        Environment.SetEnvironmentVariable(_variable, connectionString);
        Settings = new Dictionary<string, string?>
        {
            ["Monitor:Storage:Provider"] = "Postgres",
            ["Monitor:Storage:Postgres:ConnectionStringEnv"] = _variable,
        };
    }

    /// <summary>The SQLite file; empty on PostgreSQL.</summary>
    public string Path { get; }
    public Database Database { get; }
    public IReadOnlyDictionary<string, string?> Settings { get; }

    /// <param name="postgres">A connection string to a PostgreSQL server (any database on it) to create the ledger on; null: SQLite.</param>
    public static async Task<BenchLedger> CreateAsync(CancellationToken ct, string? postgres = null)
    {
        BenchLedger ledger;
        if (postgres is null)
        {
            ledger = new BenchLedger(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"monitor-bench-{Guid.NewGuid():N}.db"));
        }
        else
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"monitor_bench_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}");
            await using (var c = new NpgsqlConnection(postgres))
            {
                await c.OpenAsync(ct);
                await c.ExecuteAsync($"CREATE DATABASE {name}");
            }

            ledger = new BenchLedger(postgres, name);
        }

        await new MigrationRunner(ledger.Database, TimeProvider.System).MigrateAsync(ct);
        return ledger;
    }

    public void Dispose()
    {
        if (_server is not null)
        {
            Database.DisposeAsync().AsTask().GetAwaiter().GetResult();
            Environment.SetEnvironmentVariable(_variable!, null);
            using var c = new NpgsqlConnection(_server);
            c.Open();
            c.Execute($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
            return;
        }

        SqliteConnection.ClearAllPools(); // the Database pools connections: release the file before deleting it
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            File.Delete(Path + suffix);
    }
}
