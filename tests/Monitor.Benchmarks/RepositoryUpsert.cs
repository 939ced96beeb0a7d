using System.Diagnostics;
using Monitor.Core.Usage;
using Monitor.Storage;

namespace Monitor.Benchmarks;

/// <summary>
/// Figure 2: the repository's write path. The same pre-generated records through <see cref="LedgerTransaction.Upsert"/>
/// (one reused prepared INSERT ... ON CONFLICT DO UPDATE) in one transaction, committed, as a pull or import does.
/// </summary>
public static class RepositoryUpsert
{
    /// <returns>Rows per second.</returns>
    /// <param name="postgres">A PostgreSQL server to run on (see <see cref="BenchLedger"/>); null: SQLite.</param>
    public static async Task<double> RunAsync(UsageRecord[] records, CancellationToken ct, string? postgres = null)
    {
        using var ledger = await BenchLedger.CreateAsync(ct, postgres);
        var now = TimeProvider.System.GetUtcNow();

        var watch = Stopwatch.StartNew();
        await using (var tx = await LedgerTransaction.BeginAsync(ledger.Database, "import", null, "benchmark", now, ct))
        {
            foreach (var record in records)
                tx.Upsert(record);
            await tx.CommitAsync(ct);
        }

        watch.Stop();
        return records.Length / watch.Elapsed.TotalSeconds;
    }
}
