using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Monitor.Core.Pricing;
using Monitor.Pricing;
using Monitor.Storage;
using Npgsql;

namespace Monitor.Tests.Support;

/// <summary>
/// A real ledger, migrated, thrown away afterwards: a SQLite file in a temporary folder, or (<see cref="SqlDialect.Postgres"/>)
/// a fresh database of its own on the test run's PostgreSQL server (<see cref="PostgresServer"/>), copied from a migrated
/// template so each test starts from the same empty schema in milliseconds. The temporary folder exists on both (files
/// to import, a pickup directory); <see cref="Settings"/> is the configuration that points a host at this ledger.
/// </summary>
public sealed class TempLedger : IDisposable
{
    private static readonly Lazy<Task<string>> Template = new(CreateTemplateAsync);
    private static int _databases;
    private readonly string? _variable;

    public TempLedger(DateTimeOffset? clockStart = null, SqlDialect dialect = SqlDialect.Sqlite)
    {
        Clock = new FakeTimeProvider(clockStart ?? new DateTimeOffset(2026, 11, 22, 15, 30, 0, TimeSpan.Zero));
        Folder = Directory.CreateTempSubdirectory("monitor-test-").FullName;
        Path = System.IO.Path.Combine(Folder, "ledger.db");
        if (dialect == SqlDialect.Postgres)
        {
            // Off xunit's synchronization context: the server is reached asynchronously, and the test thread waits here.
            ConnectionString = Task.Run(CreateDatabaseAsync).GetAwaiter().GetResult();
            Database = Database.Postgres(ConnectionString);
            _variable = "MONITOR_TEST_PG_" + Guid.NewGuid().ToString("N");
            System.Environment.SetEnvironmentVariable(_variable, ConnectionString);
            Settings = new Dictionary<string, string?>
            {
                ["Monitor:Storage:Provider"] = "Postgres",
                ["Monitor:Storage:Postgres:ConnectionStringEnv"] = _variable,
            };
            return;
        }

        Database = new Database(Path, TimeSpan.FromSeconds(10));
        new MigrationRunner(Database, Clock).MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
        Settings = new Dictionary<string, string?> { ["Monitor:Storage:Sqlite:Path"] = Path };
    }

    public string Folder { get; }

    /// <summary>The SQLite file (on PostgreSQL a file name in the folder that is never created).</summary>
    public string Path { get; }

    /// <summary>The PostgreSQL connection string; null on SQLite.</summary>
    public string? ConnectionString { get; }

    public Database Database { get; }
    public SqlDialect Dialect => Database.Dialect;
    public FakeTimeProvider Clock { get; }

    /// <summary>The storage configuration of this ledger (Monitor:Storage:...), for a host built in the test.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; }

    /// <summary>The same settings as environment variables (Monitor__Storage__...), for a monitor process.</summary>
    public Dictionary<string, string> ProcessEnvironment() =>
        Settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value ?? "")
            .Concat(_variable is null ? [] : [KeyValuePair.Create(_variable, ConnectionString!)])
            .ToDictionary(p => p.Key, p => p.Value);

    public static PriceCatalog Catalog { get; } = PriceCatalogLoader.Load((string?)null);

    public string File(string name, string content)
    {
        var path = System.IO.Path.Combine(Folder, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    public async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var c = await Database.OpenAsync(CancellationToken.None);
        return (await c.ExecuteScalarAsync<T>(sql, args))!;
    }

    public async Task<List<T>> QueryAsync<T>(string sql, object? args = null)
    {
        await using var c = await Database.OpenAsync(CancellationToken.None);
        return [.. await c.QueryAsync<T>(sql, args)];
    }

    public void Dispose()
    {
        if (Dialect == SqlDialect.Postgres)
        {
            System.Environment.SetEnvironmentVariable(_variable!, null);
            Database.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        else
        {
            SqliteConnection.ClearAllPools();
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A reader still closing; the OS cleans temp folders.
        }
    }

    /// <summary>A new database copied from the migrated template (the server is thrown away with the test run).</summary>
    private static async Task<string> CreateDatabaseAsync()
    {
        var template = await Template.Value;
        var server = await PostgresServer.GetAsync();
        var name = string.Create(CultureInfo.InvariantCulture, $"ledger_{Interlocked.Increment(ref _databases)}_{System.Environment.ProcessId}");
        await using var c = new NpgsqlConnection(server.ConnectionString());
        await c.OpenAsync();
        await c.ExecuteAsync($"CREATE DATABASE {name} TEMPLATE {template}");
        return server.ConnectionString(name);
    }

    private static async Task<string> CreateTemplateAsync()
    {
        var server = await PostgresServer.GetAsync();
        var name = string.Create(CultureInfo.InvariantCulture, $"ledger_template_{System.Environment.ProcessId}");
        await using (var c = new NpgsqlConnection(server.ConnectionString()))
        {
            await c.OpenAsync();
            await c.ExecuteAsync($"CREATE DATABASE {name}");
        }

        // Pooling off: a template must have no open connection when it is copied.
        await using (var database = Database.Postgres(server.ConnectionString(name) + ";Pooling=false"))
            await new MigrationRunner(database, TimeProvider.System).MigrateAsync(CancellationToken.None);
        return name;
    }
}
