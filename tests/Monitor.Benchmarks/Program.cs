using System.Globalization;
using Monitor.Benchmarks;
using static System.FormattableString;

// The benchmark program: figures, not pass/fail.
//   dotnet run -c Release --project tests/Monitor.Benchmarks [-- --rows N] [--only raw|upsert|import|pull]
// The import runs first, before the records of figures 1 and 2 exist, so its peak memory is its own.

var rows = 1_000_000;
string? only = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--rows" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var n) && n > 0:
            rows = n;
            i++;
            break;
        case "--only" when i + 1 < args.Length && args[i + 1] is "raw" or "upsert" or "import" or "pull":
            only = args[i + 1];
            i++;
            break;
        default:
            Console.Error.WriteLine("usage: Monitor.Benchmarks [--rows N] [--only raw|upsert|import|pull]");
            return 2;
    }
}

bool Runs(string figure) => only is null || only == figure;
var ct = CancellationToken.None;
CsvImport.Result? import = null;
Console.WriteLine(Invariant($"Monitor benchmarks: {rows:N0} rows, {Environment.ProcessorCount} cores, .NET {Environment.Version}"));

if (Runs("import"))
{
    Console.WriteLine(Invariant($"import: writing and importing a {rows:N0}-row usage CSV ..."));
    import = await CsvImport.RunAsync(rows, ct);
    Console.WriteLine(Invariant($"  {import.Rows:N0} rows ({Mb(import.FileBytes)} MB CSV) in {import.Elapsed.TotalSeconds:F1} s"));
}

PullBackfill.Result? pull = null;
if (Runs("pull"))
{
    Console.WriteLine("pull: OpenAI-format hourly backfill of 90 days from the demo's fake server ...");
    pull = await PullBackfill.RunAsync(days: 90, ct);
    Console.WriteLine(Invariant($"  {pull.Records:N0} records in {pull.Elapsed.TotalSeconds:F1} s ({pull.Requests:N0} HTTP requests)"));
}

double raw = 0, upsert = 0;
if (Runs("raw") || Runs("upsert"))
{
    Console.WriteLine(Invariant($"generating {rows:N0} usage records ..."));
    var records = UsageRows.Records(rows, TimeProvider.System.GetUtcNow());
    GC.Collect();
    // Two rounds, alternating the order, keeping the better run of each.
    for (var round = 1; round <= 2; round++)
    {
        var order = round == 1 ? new[] { "raw", "upsert" } : ["upsert", "raw"];
        foreach (var figure in order.Where(Runs))
        {
            var rate = figure == "raw"
                ? await RawSqliteBaseline.RunAsync(records, ct)
                : await RepositoryUpsert.RunAsync(records, ct);
            Console.WriteLine(Invariant($"  round {round}: {(figure == "raw" ? "raw sqlite baseline" : "repository upsert"),-20} {rate,12:N0} rows/s"));
            if (figure == "raw")
                raw = Math.Max(raw, rate);
            else
                upsert = Math.Max(upsert, rate);
        }
    }
}

Console.WriteLine();
Console.WriteLine("summary");
if (raw > 0)
    Console.WriteLine(Invariant($"{"raw sqlite baseline",-24}: {raw:N0} rows/s"));
if (upsert > 0)
    Console.WriteLine(Invariant($"{"repository upsert",-24}: {upsert:N0} rows/s") + Ratio(upsert, raw));
if (import is not null)
{
    Console.WriteLine(Invariant($"{$"import {import.Rows:N0} rows",-24}: {import.Elapsed.TotalSeconds:F1} s, {import.RowsPerSecond:N0} rows/s")
        + (raw > 0 ? Invariant($" ({import.RowsPerSecond / raw:F2} of baseline)") : "")
        + Invariant($", peak working set {Mb(import.PeakWorkingSet)} MB, peak managed {Mb(import.PeakManaged)} MB"));
}
if (pull is not null)
    Console.WriteLine(Invariant($"{"pull backfill 90 days",-24}: {pull.Elapsed.TotalSeconds:F1} s, {pull.Records:N0} records, {pull.RecordsPerSecond:N0} records/s over HTTP"));

return 0;

static string Ratio(double rate, double baseline) =>
    baseline > 0 ? Invariant($"  ({rate / baseline:F2} of baseline)") : "";

static string Mb(long bytes) => (bytes / 1048576.0).ToString("F0", CultureInfo.InvariantCulture);
