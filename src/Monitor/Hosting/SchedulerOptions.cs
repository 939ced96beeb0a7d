namespace Monitor.Hosting;

/// <summary>
/// <c>Monitor:Scheduler</c>: the Quartz scheduler of <c>serve</c>. On SQLite it keeps its triggers in memory (one node
/// owns the file); on PostgreSQL it always keeps them in the shared database, clustered, so each trigger fires on
/// exactly one node and a dead node's work is taken over.
/// </summary>
public sealed class SchedulerOptions
{
    /// <summary>
    /// Left unset it follows the storage: clustered on PostgreSQL, in memory on SQLite. <c>false</c> on PostgreSQL is
    /// refused (every node would fire every trigger), and so is <c>true</c> on SQLite (there is no shared store).
    /// </summary>
    public bool? Clustered { get; set; }

    /// <summary>This node's name in the cluster; <c>AUTO</c> (host name and start time) unless nodes need fixed names.</summary>
    public string InstanceId { get; set; } = "AUTO";

    /// <summary>How often a node records in the database that it is alive.</summary>
    public TimeSpan CheckinInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long past a missed check-in the other nodes wait before they take a node's work over.</summary>
    public TimeSpan CheckinMisfireThreshold { get; set; } = TimeSpan.FromSeconds(20);

    public bool IsClustered(StorageOptions storage) => Clustered ?? storage.ParsedProvider == Storage.SqlDialect.Postgres;
}
