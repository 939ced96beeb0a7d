using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Monitor.Hosting;
using Npgsql;

namespace Monitor.Storage;

/// <summary>
/// Opens connections to the ledger: a SQLite file (one node) or a PostgreSQL database (clustered mode). One place
/// decides the connection string and per-connection settings; <see cref="Dialect"/> is where SQL that cannot be shared
/// asks which one it talks to.
/// </summary>
public sealed class Database : IAsyncDisposable
{
    private readonly string? _sqliteConnectionString;
    private readonly NpgsqlDataSource? _postgres;

    public Database(IOptions<MonitorOptions> options)
        : this(options.Value.Storage)
    {
    }

    public Database(StorageOptions storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        if (storage.ParsedProvider == SqlDialect.Postgres)
        {
            Dialect = SqlDialect.Postgres;
            _postgres = new NpgsqlDataSourceBuilder(storage.Postgres.ConnectionString()).Build();
            FilePath = "";
            return;
        }

        (FilePath, _sqliteConnectionString) = Sqlite(storage.Sqlite.Path, storage.Sqlite.BusyTimeout);
    }

    public Database(string path, TimeSpan busyTimeout) => (FilePath, _sqliteConnectionString) = Sqlite(path, busyTimeout);

    private Database(NpgsqlDataSource postgres)
    {
        Dialect = SqlDialect.Postgres;
        _postgres = postgres;
        FilePath = "";
    }

    /// <summary>A ledger on PostgreSQL, from a connection string (tests, <c>migrate --to-postgres</c>).</summary>
    public static Database Postgres(string connectionString) => new(new NpgsqlDataSourceBuilder(connectionString).Build());

    public SqlDialect Dialect { get; }

    /// <summary>The SQLite file; empty on PostgreSQL.</summary>
    public string FilePath { get; }

    /// <summary>Where the ledger is, for messages: the file, or the PostgreSQL host and database (never the password).</summary>
    public string Describe() => _postgres is { } pg
        ? $"PostgreSQL {new NpgsqlConnectionStringBuilder(pg.ConnectionString).Host}/{new NpgsqlConnectionStringBuilder(pg.ConnectionString).Database}"
        : FilePath;

    public async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        if (_postgres is not null)
            return await _postgres.OpenConnectionAsync(ct);
        var directory = Path.GetDirectoryName(FilePath);
        if (!string.IsNullOrEmpty(directory))
            Directory.CreateDirectory(directory);
        var connection = new SqliteConnection(_sqliteConnectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    /// <summary>A connection opened synchronously, for the few reads on a request path that must not yield (the spend guard).</summary>
    public DbConnection Open()
    {
        if (_postgres is not null)
            return _postgres.OpenConnection();
        var connection = new SqliteConnection(_sqliteConnectionString);
        connection.Open();
        return connection;
    }

    public ValueTask DisposeAsync() => _postgres?.DisposeAsync() ?? ValueTask.CompletedTask;

    private static (string Path, string ConnectionString) Sqlite(string path, TimeSpan busyTimeout)
    {
        var full = System.IO.Path.GetFullPath(path);
        return (full, new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            // Microsoft.Data.Sqlite retries a busy database until the command timeout: this is our busy timeout.
            DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
        }.ToString());
    }
}
