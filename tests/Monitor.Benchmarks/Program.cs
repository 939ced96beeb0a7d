using System.Globalization;
using Monitor.Benchmarks;
using static System.FormattableString;

// The benchmark program: figures, not pass/fail.
//   dotnet run -c Release --project tests/Monitor.Benchmarks [-- --rows N] [--only raw|upsert|import|pull|year|anomaly|anomaly-check|check|dashboard|proxy|nab|postgres|proxy-cluster|focus|channels]
//       [--keys 200] [--models 12] [--days 365]   (the year figure's size)
//       [--nab PATH] [--python /usr/bin/python3]  (a checkout of numenta/NAB: the nab figure runs only when it is given)
//       [--postgres CONNSTRING]  (--only postgres: the server to compare on; default a throwaway one, as the tests start)
//       [--days 90] [--keys 200]  (--only focus: the ledger exported, hourly x keys x 6 models)  [--alerts 2000]  (--only channels)
// The import runs first, before the records of figures 1 and 2 exist, so its peak memory is its own. The year figure
// runs last, after those records are gone; alone (--only year) it first measures the raw baseline it is compared to.

var rows = 1_000_000;
int keys = 200, models = 12, days = 365;
string? only = null;
string? nab = null;
string? postgres = null;
var alerts = 2_000;
var rowsGiven = false;
var daysGiven = false;
var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--rows" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var n) && n > 0:
            rows = n;
            rowsGiven = true;
            i++;
            break;
        case "--only" when i + 1 < args.Length && args[i + 1] is "raw" or "upsert" or "import" or "pull" or "year" or "anomaly" or "anomaly-check" or "check" or "dashboard" or "proxy" or "nab" or "postgres" or "proxy-cluster" or "focus" or "channels":
            only = args[i + 1];
            i++;
            break;
        case "--keys" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var k) && k > 0:
            keys = k;
            i++;
            break;
        case "--models" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var m) && m is > 0 and <= YearOfUsageServer.MaxModels:
            models = m;
            i++;
            break;
        case "--days" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var d) && d > 0:
            days = d;
            daysGiven = true;
            i++;
            break;
        case "--alerts" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var a) && a > 0:
            alerts = a;
            i++;
            break;
        case "--postgres" when i + 1 < args.Length:
            postgres = args[++i];
            break;
        case "--nab" when i + 1 < args.Length:
            nab = args[++i];
            break;
        case "--python" when i + 1 < args.Length:
            python = args[++i];
            break;
        default:
            Console.Error.WriteLine("usage: Monitor.Benchmarks [--rows N] [--only raw|upsert|import|pull|year|anomaly|anomaly-check|check|dashboard|proxy|nab|postgres|proxy-cluster|focus|channels] [--keys 200] [--models 1..12] [--days 365] [--alerts 2000] [--nab PATH] [--python PATH] [--postgres CONNSTRING]");
            return 2;
    }
}

bool Runs(string figure) => only is null || only == figure;
var ct = CancellationToken.None;
CsvImport.Result? import = null;
Console.WriteLine(Invariant($"Monitor benchmarks: {rows:N0} rows, {Environment.ProcessorCount} cores, .NET {Environment.Version}"));

if (only == "focus") { await FocusBenchmark.RunAsync(daysGiven ? days : 90, keys, ct); return 0; } // 2.6 million records exported: only on request
if (only == "channels") { await ChannelsBenchmark.RunAsync(alerts, ct); return 0; } // alerts through the outbox over HTTP: only on request

// SQLite beside PostgreSQL: only on request (200,000 ingested records unless --rows says otherwise).
if (only == "postgres") return await PostgresComparison.RunAsync(postgres, rowsGiven ? rows : 200_000, ct);
if (only == "proxy-cluster") { await ProxyBenchmark.ClusterAsync(postgres ?? (await Monitor.Tests.Support.PostgresServer.GetAsync()).ConnectionString(), ct); return 0; }

if (Runs("import"))
{
    Console.WriteLine(Invariant($"import: writing and importing a {rows:N0}-row usage CSV ..."));
    import = await CsvImport.RunAsync(rows, ct);
    Console.WriteLine(Invariant($"  {import.Rows:N0} rows ({Mb(import.FileBytes)} MB CSV) in {import.Elapsed.TotalSeconds:F1} s"));
}

if (Runs("anomaly"))
    await AnomalyBenchmark.RunAsync(ct);
if (only == "nab" && nab is null)
{
    Console.Error.WriteLine("nab: give the path of a NAB checkout with --nab (git clone https://github.com/numenta/NAB)");
    return 2;
}

if (Runs("nab") && nab is not null && await NabBenchmark.RunAsync(nab, python, ct) is var nabResult and not 0)
    return nabResult;
if (only == "nab") return 0;
if (only == "anomaly-check") { await AnomalyCheckBenchmark.RunAsync(ct); return 0; } // 21.6 million records: only on request

CheckBenchmark.Result? check = null;
if (Runs("check"))
{
    Console.WriteLine("check: 1,000 budgets on 5,000,000 hourly records ...");
    check = await CheckBenchmark.RunAsync(5_000_000, ct);
    Console.WriteLine("  " + CheckBenchmark.Describe(check));
}

PullBackfill.Result? pull = null;
if (Runs("pull"))
{
    Console.WriteLine("pull: OpenAI-format hourly backfill of 90 days from the demo's fake server ...");
    pull = await PullBackfill.RunAsync(days: 90, ct);
    Console.WriteLine(Invariant($"  {pull.Records:N0} records in {pull.Elapsed.TotalSeconds:F1} s ({pull.Requests:N0} HTTP requests)"));
}

// The year figure is compared to the raw baseline: it runs the baseline when it runs.
var (raw, upsert) = Runs("raw") || Runs("upsert") || Runs("year")
    ? await RawAndUpsertAsync(rows, Runs("raw") || Runs("year"), Runs("upsert"), ct)
    : (0, 0);

YearBackfill.Result? year = null;
if (Runs("year"))
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    Console.WriteLine(Invariant($"year: hourly OpenAI-format backfill of {keys:N0} keys x {models} models x {days:N0} days from a local fake server ..."));
    year = await YearBackfill.RunAsync(keys, models, days, new SyncProgress(line => Console.WriteLine("  " + line)), ct);
    Console.WriteLine(Invariant($"  {year.Requests:N0} GETs, {Mb(year.ResponseBytes)} MB of JSON; the full pull made the same requests: {(year.SameRequests ? "yes" : "NO")}"));
    Console.WriteLine(Invariant($"  (a) fetch only      {year.Fetch.TotalSeconds,8:F1} s   (fake server + loopback, bodies read, not parsed)"));
    Console.WriteLine(Invariant($"  (b) connector only  {year.Connector.TotalSeconds,8:F1} s   (fetch + parse + map, not written)"));
    Console.WriteLine(Invariant($"  (c) full pull       {year.Elapsed.TotalSeconds,8:F1} s   (fetch + parse + map + SQLite)"));
    Console.WriteLine(Invariant($"  fetch {Percent(year.Fetch / year.Elapsed)}, parse+map (b-a) {year.ParseMap.TotalSeconds:F1} s = {Percent(year.ParseMapShare)}, write (c-b) {year.Write.TotalSeconds:F1} s = {Percent(year.Write / year.Elapsed)} of the full pull's wall time"));
}

if (only == "dashboard") return await DashboardFigure.RunAsync(days, ct); // 365 days of hourly records: 4,993,200
if (only == "proxy") { await ProxyBenchmark.RunAsync(200_000, ct); return 0; } // the metering proxy against the local fake: only on request

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
if (year is not null)
{
    Console.WriteLine(Invariant($"year backfill ({year.Keys:N0} keys x {year.Models} models x {year.Days:N0} d): {year.Records:N0} records in {year.Elapsed.TotalSeconds:F0} s, {year.RecordsPerSecond:N0} records/s")
        + (raw > 0 ? Invariant($" ({year.RecordsPerSecond / raw:F2} of baseline)") : "")
        + Invariant($", peak working set {Mb(year.PeakWorkingSet)} MB, peak managed {Mb(year.PeakManaged)} MB, parse+map {Percent(year.ParseMapShare)} of wall time"));
}
if (check is not null)
    Console.WriteLine(CheckBenchmark.Describe(check));

return 0;

// Figures 1 and 2 on the same records. A function of its own, so the records are garbage once it returns.
static async Task<(double Raw, double Upsert)> RawAndUpsertAsync(int rows, bool runRaw, bool runUpsert, CancellationToken ct)
{
    Console.WriteLine(Invariant($"generating {rows:N0} usage records ..."));
    var records = UsageRows.Records(rows, TimeProvider.System.GetUtcNow());
    GC.Collect();
    double raw = 0, upsert = 0;
    // Two rounds, alternating the order, keeping the better run of each.
    for (var round = 1; round <= 2; round++)
    {
        var order = round == 1 ? new[] { "raw", "upsert" } : ["upsert", "raw"];
        foreach (var figure in order.Where(f => f == "raw" ? runRaw : runUpsert))
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

    return (raw, upsert);
}

static string Ratio(double rate, double baseline) =>
    baseline > 0 ? Invariant($"  ({rate / baseline:F2} of baseline)") : "";

static string Percent(double share) => (share * 100).ToString("F0", CultureInfo.InvariantCulture) + "%";

static string Mb(long bytes) => (bytes / 1048576.0).ToString("F0", CultureInfo.InvariantCulture);
