using Monitor.Core.Usage;
using Monitor.Tests.Support;
using static System.FormattableString;

namespace Monitor.Benchmarks;

/// <summary>
/// <c>--only postgres [--postgres CONNSTRING]</c>: ingest, the overview page and <c>check</c> over 1,000 budgets on
/// SQLite and on PostgreSQL, same data, same run; then the metered proxy's throughput on one node and on two. Without <c>--postgres</c> a throwaway server is started as the tests
/// start theirs (Debian's initdb and pg_ctl in a temp folder, fsync off: a figure of the queries, not of the disk);
/// with it, each figure creates a database of its own on that server (the role needs CREATEDB) and drops it afterwards.
/// </summary>
public static class PostgresComparison
{
    public static async Task<int> RunAsync(string? server, int rows, CancellationToken ct)
    {
        server ??= (await PostgresServer.GetAsync()).ConnectionString();
        Console.WriteLine("postgres: the same figures on SQLite and on PostgreSQL (same data, same run)");

        Console.WriteLine(Invariant($"  ingest: {rows:N0} records through LedgerTransaction.Upsert, one transaction, rollup at commit ..."));
        var records = UsageRows.Records(rows, TimeProvider.System.GetUtcNow());
        var ingest = new List<(string, double)>();
        foreach (var (name, pg) in Dialects(server))
            ingest.Add((name, await RepositoryUpsert.RunAsync(records, ct, pg)));
        foreach (var (name, rate) in ingest)
            Console.WriteLine(Invariant($"    {name,-10} {rate,10:N0} rows/s"));

        const int Days = 30;
        Console.WriteLine(Invariant($"  overview page on {Days} days of hourly records (3 accounts x 19 keys x 10 models) ..."));
        foreach (var (name, pg) in Dialects(server))
        {
            var r = await DashboardBenchmark.RunAsync(Days, _ => { }, ct, pg);
            Console.WriteLine(Invariant($"    {name,-10} loaded {r.Records:N0} records in {r.Load.TotalSeconds:F1} s; page median {r.MedianMs:F1} ms, p95 {r.P95Ms:F1} ms; first after a write (uncached) {r.AfterWriteMedianMs:F1} ms"));
        }

        const long CheckRecords = 1_000_000;
        Console.WriteLine(Invariant($"  check: 1,000 budgets on {CheckRecords:N0} hourly records ..."));
        foreach (var (name, pg) in Dialects(server))
        {
            var r = await CheckBenchmark.RunAsync(CheckRecords, ct, pg);
            Console.WriteLine(Invariant($"    {name,-10} budgets {r.Budgets.TotalSeconds:F2} s (cold {r.BudgetsCold.TotalSeconds:F2} s); whole first check {r.FirstCheck.TotalSeconds:F2} s, {r.Raised:N0} alerts; second {r.SecondCheck.TotalSeconds:F2} s, {r.RaisedAgain} new; ledger built in {r.Build.TotalSeconds:F0} s"));
            Console.WriteLine("               " + r.FirstSplit);
        }

        await ProxyBenchmark.ClusterAsync(server, ct);
        return 0;
    }

    private static (string Name, string? Postgres)[] Dialects(string server) => [("SQLite", null), ("PostgreSQL", server)];
}
