using static System.FormattableString;

namespace Monitor.Benchmarks;

/// <summary>Prints the dashboard figure (<c>--only dashboard [--days 365]</c>); it runs alone, not with the others.</summary>
public static class DashboardFigure
{
    public static async Task<int> RunAsync(int days, CancellationToken ct)
    {
        Console.WriteLine(Invariant($"dashboard: overview on {days:N0} days of hourly records (3 accounts x 19 keys x 10 models) ..."));
        var r = await DashboardBenchmark.RunAsync(days, line => Console.WriteLine("  " + line), ct);
        Console.WriteLine(Invariant($"  overview page, {200} requests: median {r.MedianMs:F1} ms, p95 {r.P95Ms:F1} ms server time per request"));
        Console.WriteLine(Invariant($"  overview page, first request after a ledger write (uncached reads): median {r.AfterWriteMedianMs:F1} ms of 20"));
        foreach (var (query, ms) in r.Queries)
            Console.WriteLine(Invariant($"  read {query,-40} {ms,7:F1} ms uncached (median of 20)"));
        foreach (var (chart, query, draw) in r.Charts)
            Console.WriteLine(Invariant($"  chart {chart,-40} query {query,7:F1} ms, draw {draw,7:F1} ms"));
        return 0;
    }
}
