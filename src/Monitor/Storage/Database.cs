using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Monitor.Hosting;

namespace Monitor.Storage;

/// <summary>Opens connections to the ledger. One place decides the connection string and per-connection pragmas.</summary>
public sealed class Database
{
    private readonly string _connectionString;

    public Database(IOptions<MonitorOptions> options)
        : this(options.Value.Storage.Sqlite.Path, options.Value.Storage.Sqlite.BusyTimeout)
    {
    }

    public Database(string path, TimeSpan busyTimeout)
    {
        FilePath = Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            // Microsoft.Data.Sqlite retries a busy database until the command timeout: this is our busy timeout.
            DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
        }.ToString();
    }

    public string FilePath { get; }

    public async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        var directory = Path.GetDirectoryName(FilePath);
        if (!string.IsNullOrEmpty(directory))
            Directory.CreateDirectory(directory);
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        return connection;
    }
}
