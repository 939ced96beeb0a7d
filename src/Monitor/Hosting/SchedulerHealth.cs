using Quartz;

namespace Monitor.Hosting;

/// <summary>
/// What <c>/healthz</c> says about this node's scheduler: its state and instance id and, on a cluster, every node as
/// Quartz's own cluster check-ins show it (alive, overdue, failed). A host without a scheduler has nothing to say.
/// </summary>
public sealed class SchedulerHealth(IServiceProvider services)
{
    public sealed record Report(bool Healthy, string Text);

    public async Task<Report?> ReadAsync(CancellationToken ct)
    {
        if (services.GetService<ISchedulerFactory>() is not { } factory)
            return null;
        var scheduler = await factory.GetScheduler(ct);
        var status = await scheduler.GetStatus(ct);
        var metadata = await scheduler.GetMetadata(ct);
        var lines = new List<string>
        {
            $"scheduler: {status}, node {await scheduler.GetSchedulerInstanceId(ct)}, {(metadata.JobStoreClustered ? "clustered" : "in memory (one node)")}",
        };
        if (metadata.JobStoreClustered)
        {
            var nodes = await scheduler.QueryClusterNodes(ct);
            lines.Add($"cluster: {nodes.Count(n => n.State == ClusterNodeState.Alive)} of {nodes.Count} node(s) alive");
            lines.AddRange(nodes.Select(n => $"  {n.InstanceId}: {n.State}{(n.IsCurrentNode ? " (this node)" : "")}, last check-in {n.LastCheckInUtc:O}"));
        }

        // Starting up (Created) is not a failure; a scheduler shut down or in standby runs nothing on this node.
        return new Report(status is SchedulerStatus.Running or SchedulerStatus.Created, string.Join('\n', lines));
    }
}
