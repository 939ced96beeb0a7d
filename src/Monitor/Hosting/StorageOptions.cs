using Monitor.Storage;

namespace Monitor.Hosting;

public sealed class StorageOptions
{
    /// <summary><c>Sqlite</c> (one node, the default) or <c>Postgres</c> (one or more nodes: clustered mode).</summary>
    public string Provider { get; set; } = "Sqlite";

    public SqliteOptions Sqlite { get; set; } = new();

    public PostgresOptions Postgres { get; set; } = new();

    public SqlDialect ParsedProvider =>
        string.Equals(Provider, "Postgres", StringComparison.OrdinalIgnoreCase) || string.Equals(Provider, "PostgreSQL", StringComparison.OrdinalIgnoreCase)
            ? SqlDialect.Postgres
            : SqlDialect.Sqlite;
}

public sealed class SqliteOptions
{
    public string Path { get; set; } = "data/monitor.db";

    /// <summary>How long a writer waits for another writer's lock before failing.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class PostgresOptions
{
    /// <summary>The environment variable holding the Npgsql connection string (it carries the password).</summary>
    public string ConnectionStringEnv { get; set; } = "MONITOR_POSTGRES";

    /// <summary>The connection string from <see cref="ConnectionStringEnv"/>.</summary>
    public string ConnectionString() =>
        Environment.GetEnvironmentVariable(ConnectionStringEnv) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"Monitor:Storage:Postgres:ConnectionStringEnv: the environment variable {ConnectionStringEnv} is not set (it holds the PostgreSQL connection string)");
}
