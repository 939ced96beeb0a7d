using Microsoft.Extensions.Hosting;
using Monitor.Storage;

namespace Monitor.Proxy;

/// <summary>
/// Commits the proxy's metered usage to the ledger every second and once more at shutdown, so that a killed process
/// loses at most the last second. A failed commit (the database busy past its timeout) keeps the usage for the next one.
/// </summary>
public sealed partial class ProxyLedgerWriter(UsageMeter meter, ProxyUsageRepository repository, TimeProvider clock, ILogger<ProxyLedgerWriter> log)
    : BackgroundService, IHostedLifecycleService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Commits what was metered since the last flush; returns false when the commit failed (the usage is kept).</summary>
    public async Task<bool> FlushAsync(CancellationToken ct)
    {
        var (buckets, counts) = meter.Drain();
        if (buckets.Count == 0 && counts.Count == 0)
            return true;
        try
        {
            await repository.AddAsync(buckets, counts, clock.GetUtcNow(), ct);
            return true;
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException or OperationCanceledException)
        {
            meter.Restore(buckets, counts);
            LogFlushFailed(log, buckets.Count, counts.Count, e.Message);
            return false;
        }
    }

    // A thread of its own: SQLite works synchronously under its async API, and a flush must not hold a thread-pool
    // thread that the proxied calls need (on two cores that showed as latency spikes every second).
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Factory.StartNew(
        () =>
        {
            while (!stoppingToken.WaitHandle.WaitOne(Interval))
                FlushAsync(stoppingToken).GetAwaiter().GetResult();
        },
        stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>The last flush, after every hosted service stopped: the web server takes no more calls by then.</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken) => await FlushAsync(CancellationToken.None);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1301, Level = LogLevel.Error, Message = "Proxy usage not committed ({Buckets} buckets, {Counts} request counts kept for the next flush): {Error}")]
    private static partial void LogFlushFailed(ILogger logger, int buckets, int counts, string error);
}
