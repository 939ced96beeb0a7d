namespace Monitor.Hosting;

public sealed class StorageOptions
{
    /// <summary>Sqlite (one node). PostgreSQL arrives with clustered mode.</summary>
    public string Provider { get; set; } = "Sqlite";
    public SqliteOptions Sqlite { get; set; } = new();
}

public sealed class SqliteOptions
{
    public string Path { get; set; } = "data/monitor.db";

    /// <summary>How long a writer waits for another writer's lock before failing.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
