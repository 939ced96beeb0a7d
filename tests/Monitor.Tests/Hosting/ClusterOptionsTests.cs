using Monitor.Hosting;

namespace Monitor.Tests.Hosting;

/// <summary>
/// The scheduler follows the storage: clustered on PostgreSQL, in memory on SQLite. A configuration that would run a
/// scheduler that is not clustered on the shared tables (every node firing every trigger) is refused at start.
/// </summary>
public sealed class ClusterOptionsTests
{
    private const string Variable = "MONITOR_TEST_CLUSTER_PG";

    private static MonitorOptions Options(string provider, bool? clustered)
    {
        Environment.SetEnvironmentVariable(Variable, "Host=127.0.0.1;Database=monitor");
        return new MonitorOptions
        {
            Storage = new StorageOptions { Provider = provider, Postgres = new PostgresOptions { ConnectionStringEnv = Variable } },
            Scheduler = new SchedulerOptions { Clustered = clustered },
        };
    }

    [Theory]
    [InlineData("Sqlite", null, false)]
    [InlineData("Postgres", null, true)]
    [InlineData("Postgres", true, true)]
    public void IsClustered_FollowsTheStorage(string provider, bool? clustered, bool expected)
    {
        var o = Options(provider, clustered);

        Assert.Empty(MonitorOptionsValidator.Problems(o));
        Assert.Equal(expected, o.Scheduler.IsClustered(o.Storage));
    }

    [Theory]
    [InlineData("Postgres", false, "Monitor:Scheduler:Clustered: false is refused on PostgreSQL")]
    [InlineData("Sqlite", true, "Monitor:Scheduler:Clustered: true needs Monitor:Storage:Provider Postgres")]
    public void Problems_SchedulerThatWouldNotMatchTheStore_Refused(string provider, bool clustered, string expected)
    {
        var problem = Assert.Single(MonitorOptionsValidator.Problems(Options(provider, clustered)));

        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_CheckinOutOfRange_NamesTheKeys()
    {
        var o = Options("Postgres", null);
        o.Scheduler.CheckinInterval = TimeSpan.Zero;
        o.Scheduler.CheckinMisfireThreshold = TimeSpan.FromMilliseconds(10);
        o.Scheduler.InstanceId = " ";

        var problems = MonitorOptionsValidator.Problems(o).ToList();

        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Monitor:Scheduler:CheckinInterval:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Monitor:Scheduler:CheckinMisfireThreshold:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Monitor:Scheduler:InstanceId:", StringComparison.Ordinal));
    }
}
