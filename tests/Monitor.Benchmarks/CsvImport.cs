using System.Diagnostics;
using Monitor.Ledger;
using Monitor.Pricing;

namespace Monitor.Benchmarks;

/// <summary>
/// Figure 3: a usage CSV in the export columns through the real <see cref="UsageImporter"/> (streaming parse,
/// validation, catalog estimates, upsert, window replacement, one transaction), with the process's peak memory.
/// The CSV is written before the clock starts; the heap is collected before the import so the peaks are its own.
/// </summary>
public static class CsvImport
{
    public sealed record Result(long Rows, TimeSpan Elapsed, long PeakWorkingSet, long PeakManaged, long FileBytes)
    {
        public double RowsPerSecond => Rows / Elapsed.TotalSeconds;
    }

    public static async Task<Result> RunAsync(int rows, CancellationToken ct)
    {
        using var ledger = await BenchLedger.CreateAsync(ct);
        var csv = Path.ChangeExtension(ledger.Path, ".csv");
        try
        {
            UsageRows.WriteCsv(csv, rows);
            var importer = new UsageImporter(ledger.Database, PriceCatalogLoader.Load((string?)null), TimeProvider.System);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();

            using var sampler = new MemorySampler();
            var watch = Stopwatch.StartNew();
            var result = await importer.ImportAsync(csv, progress: null, ct);
            watch.Stop();
            sampler.Stop();
            return new Result(result.Records, watch.Elapsed, sampler.PeakWorkingSet, sampler.PeakManaged, new FileInfo(csv).Length);
        }
        finally
        {
            File.Delete(csv);
        }
    }
}
