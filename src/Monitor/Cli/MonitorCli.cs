using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Monitor.Checks;
using Monitor.Hosting;
using Monitor.Jobs;
using Monitor.Ledger;
using Monitor.Ledger.Focus;
using Monitor.Providers;
using Monitor.Storage;

namespace Monitor.Cli;

/// <summary>
/// The <c>monitor</c> command line. Exit codes: 0 ok, 1 runtime failure (a provider, the database), 2 bad usage or
/// bad input (the message names the file, line and field, or the configuration key).
/// </summary>
public static class MonitorCli
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int BadUsage = 2;

    private static readonly Option<string?> ConfigOption = new("--config") { Description = "A JSON file laid over appsettings.json", Recursive = true };

    private static readonly Option<bool> ToPostgresOption = new("--to-postgres")
    {
        Description = "Copy the SQLite ledger (Monitor:Storage:Sqlite:Path) into the PostgreSQL of Monitor:Storage:Postgres, both migrated first, in one transaction",
    };

    private static readonly Option<bool> ReplaceOption = new("--replace") { Description = "With --to-postgres: empty a PostgreSQL ledger that holds rows, then copy" };

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Spend monitor for LLM APIs: usage ledger, budgets, anomalies, deprecations, key rotation.") { ConfigOption };
        root.SetAction((p, ct) => Guard(() => ServeAsync(p, ct)));
        root.Add(Command("serve", "Run the scheduler and the dashboard (the default verb)", [], (p, ct) => ServeAsync(p, ct)));
        root.Add(DemoCommand.Create(Guard));
        root.Add(PullCommand());
        root.Add(ImportCommand());
        root.Add(ExportCommand());
        root.Add(Command("migrate", "Apply database migrations; with --to-postgres, move the SQLite ledger into PostgreSQL", [ToPostgresOption, ReplaceOption], MigrateAsync));
        root.Add(CheckCommand.Create(p => p.GetValue(ConfigOption), Guard));
        root.Add(DetectCommand.Create(Guard));
        root.Add(AlertsCommand.Create(Guard));
        root.Add(ReportCommand.Create(Guard));

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
                await Console.Error.WriteLineAsync($"monitor: {error.Message}");
            await Console.Error.WriteLineAsync("Try 'monitor --help'.");
            return BadUsage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }

    /// <summary>Runs a verb and turns its failures into one line on standard error and an exit code.</summary>
    public static async Task<int> Guard(Func<Task<int>> verb)
    {
        try
        {
            return await verb();
        }
        catch (BadInputException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return BadUsage;
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException e)
        {
            foreach (var failure in e.Failures)
                await Console.Error.WriteLineAsync(failure);
            return BadUsage;
        }
        catch (ProviderException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return Failure;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("monitor: cancelled");
            return Failure;
        }
        catch (Exception e) when (e is IOException or System.Data.Common.DbException or InvalidOperationException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"monitor: {e.Message}");
            return Failure;
        }
    }

    private static Command Command(string name, string description, Symbol[] symbols, Func<ParseResult, CancellationToken, Task<int>> action)
    {
        var command = new Command(name, description);
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Option o: command.Add(o); break;
                case Argument a: command.Add(a); break;
            }
        }

        command.SetAction((p, ct) => Guard(() => action(p, ct)));
        return command;
    }

    private static async Task<int> ServeAsync(ParseResult p, CancellationToken ct)
    {
        var configuration = MonitorSettings.Build(p.GetValue(ConfigOption));
        var options = MonitorSettings.Bind(configuration);
        var app = MonitorWebHost.Build(configuration, options);
        await Console.Error.WriteLineAsync($"monitor: serving the dashboard on {options.Dashboard.Urls} ({options.Providers.Count(a => a.Enabled)} provider accounts scheduled)");
        await MonitorWebHost.RunAsync(app, ct);
        return Ok;
    }

    private static async Task<int> MigrateAsync(ParseResult p, CancellationToken ct)
    {
        var configuration = MonitorSettings.Build(p.GetValue(ConfigOption));
        var options = MonitorSettings.Bind(configuration);
        if (p.GetValue(ToPostgresOption))
            return await MoveToPostgresAsync(options.Storage, p.GetValue(ReplaceOption), ct);
        if (p.GetValue(ReplaceOption))
            throw new BadInputException("--replace: only with --to-postgres");

        await using var database = new Database(options.Storage);
        var runner = new MigrationRunner(database, TimeProvider.System);
        var applied = (await LedgerStartup.PrepareAsync(database, options, TimeProvider.System, NullLogger.Instance, ct)).Applied;
        var where = database.Dialect == SqlDialect.Sqlite ? options.Storage.Sqlite.Path : database.Describe();
        Console.WriteLine(applied.Count == 0
            ? $"{where}: up to date (version {await runner.CurrentVersionAsync(ct)})"
            : $"{where}: applied {string.Join(", ", applied.Select(v => v.ToString("D4", CultureInfo.InvariantCulture)))}");
        return Ok;
    }

    /// <summary><c>migrate --to-postgres</c>: the SQLite ledger, migrated, copied into PostgreSQL, migrated, in one transaction.</summary>
    private static async Task<int> MoveToPostgresAsync(StorageOptions storage, bool replace, CancellationToken ct)
    {
        if (!File.Exists(storage.Sqlite.Path))
            throw new BadInputException($"Monitor:Storage:Sqlite:Path: {Path.GetFullPath(storage.Sqlite.Path)} does not exist (the SQLite ledger to copy)");
        await using var sqlite = new Database(storage.Sqlite.Path, storage.Sqlite.BusyTimeout);
        await using var postgres = Database.Postgres(storage.Postgres.ConnectionString());
        await new MigrationRunner(sqlite, TimeProvider.System).MigrateAsync(ct);
        await new MigrationRunner(postgres, TimeProvider.System).MigrateAsync(ct);
        Console.WriteLine($"{sqlite.Describe()} -> {postgres.Describe()}");
        var copied = await PostgresLedgerCopy.CopyAsync(
            sqlite, postgres, replace, (table, rows) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {table,-24} {rows,12:N0} rows")), ct);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"copied {copied.Sum(c => c.Rows):N0} rows in {copied.Count} tables, in one transaction"));
        return Ok;
    }

    private static Command PullCommand()
    {
        var provider = new Option<string?>("--provider") { Description = "Only this account (its configured Name)" };
        var from = new Option<string?>("--from") { Description = "Backfill from this date or time (UTC)" };
        var to = new Option<string?>("--to") { Description = "Backfill up to this date or time (UTC, exclusive; default now)" };
        return Command("pull", "Pull usage now; with --from/--to, backfill that window", [provider, from, to], async (p, ct) =>
        {
            var fromTime = ParseTime(p.GetValue(from), "--from");
            var toTime = ParseTime(p.GetValue(to), "--to");
            if (toTime is not null && fromTime is null)
                throw new BadInputException("--to: needs --from (a backfill window)");
            await using var context = await CliContext.StartAsync(p.GetValue(ConfigOption), ct);
            if (!context.Options.Providers.Any(a => a.Enabled))
                throw new BadInputException("Monitor:Providers: no enabled provider account is configured (see the README for examples)");
            var progress = new TerminalProgress<string>(s => s);
            var results = await context.Get<PullService>().PullAllAsync(p.GetValue(provider), fromTime, toTime, progress, ct);
            progress.Done();
            foreach (var r in results)
                Console.WriteLine(r.Ok ? $"{r.Account}: ok, {r.Records} records" : $"{r.Account}: FAILED after {r.Records} records: {r.Error}");
            return results.All(r => r.Ok) ? Ok : Failure;
        });
    }

    private static Command ImportCommand()
    {
        var file = new Argument<string>("FILE") { Description = "CSV or JSON usage records (the fields of 'export usage')" };
        var usage = Command("usage", "Import usage records; re-importing a window replaces it", [file], async (p, ct) =>
        {
            await using var context = await CliContext.StartAsync(p.GetValue(ConfigOption), ct);
            var progress = new TerminalProgress<long>(n => $"imported {n:N0} records");
            var result = await context.Get<UsageImporter>().ImportAsync(p.GetValue(file)!, progress, ct);
            progress.Done();
            Console.WriteLine($"{p.GetValue(file)}: imported {result.Records} records for {result.Accounts} accounts ({result.Replaced} earlier records replaced)");
            return Ok;
        });
        return new Command("import", "Import data into the ledger") { usage };
    }

    private static Command ExportCommand()
    {
        var kind = new Argument<string>("WHAT") { Description = "usage, alerts, keys, models, runs, reconciliation, budgets or focus" };
        kind.AcceptOnlyFromAmong([.. LedgerExporter.Kinds, "budgets", "focus"]);
        var format = new Option<string>("--format") { Description = "csv or json; for focus, csv or parquet", DefaultValueFactory = _ => "csv" };
        format.AcceptOnlyFromAmong("csv", "json", "parquet");
        var from = new Option<string?>("--from") { Description = "From this date or time (UTC, inclusive)" };
        var to = new Option<string?>("--to") { Description = "Up to this date or time (UTC, exclusive); for budgets, the time to evaluate at" };
        var output = new Option<string?>("--out") { Description = "Write to this file instead of standard output" };
        return Command("export", "Export usage, alerts, keys, models, pull runs, the reported-vs-estimated reconciliation, budgets or the FinOps FOCUS cost export", [kind, format, from, to, output], async (p, ct) =>
        {
            var what = p.GetValue(kind)!;
            var formatName = p.GetValue(format)!;
            var path = p.GetValue(output);
            CheckFormat(what, formatName, path);
            var fromTime = ParseTime(p.GetValue(from), "--from");
            var toTime = ParseTime(p.GetValue(to), "--to");
            await using var context = await CliContext.StartAsync(p.GetValue(ConfigOption), ct);
            if (formatName == "parquet")
                return await WriteFileAsync(path!, stream => context.Get<FocusExporter>().WriteParquetAsync(stream, fromTime, toTime, ct));

            var exportFormat = formatName == "json" ? ExportFormat.Json : ExportFormat.Csv;
            async Task<long> WriteAsync(TextWriter writer) => what switch
            {
                "budgets" => await BudgetExport.WriteAsync(writer, exportFormat, await context.Get<BudgetEvaluator>().StatusesAsync(toTime ?? TimeProvider.System.GetUtcNow(), ct), ct),
                "focus" => await context.Get<FocusExporter>().WriteCsvAsync(writer, fromTime, toTime, ct),
                _ => await context.Get<LedgerExporter>().ExportAsync(what, exportFormat, writer, fromTime, toTime, ct),
            };
            if (path is null)
            {
                await using var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
                await WriteAsync(stdout);
                return Ok;
            }

            return await WriteFileAsync(path, async stream =>
            {
                await using var writer = new StreamWriter(stream);
                return await WriteAsync(writer);
            });
        });
    }

    /// <summary>Parquet is the FOCUS export's alone, and a file (it is written with seeks, never to standard output); FOCUS is CSV or Parquet.</summary>
    internal static void CheckFormat(string what, string format, string? path)
    {
        if (format == "parquet" && what != "focus")
            throw new BadInputException($"export {what}: --format parquet is only for 'export focus' (use csv or json)");
        if (format == "parquet" && path is null)
            throw new BadInputException("export focus: --format parquet needs --out FILE (Parquet is not written to standard output)");
        if (format == "json" && what == "focus")
            throw new BadInputException("export focus: --format json is not a FOCUS format (use csv or parquet)");
    }

    /// <summary>Writes beside the target and moves it into place: a failed export never leaves half a file.</summary>
    private static async Task<int> WriteFileAsync(string path, Func<Stream, Task<long>> write)
    {
        var temporary = path + ".partial";
        long rows;
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.ReadWrite, FileShare.None))
                rows = await write(stream);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        File.Move(temporary, path, overwrite: true);
        await Console.Error.WriteLineAsync($"{path}: {rows} rows");
        return Ok;
    }

    /// <summary>A date (2026-11-01) or an ISO 8601 time; without an offset it is UTC.</summary>
    public static DateTimeOffset? ParseTime(string? text, string option)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : throw new BadInputException($"{option}: '{text}' is not a date (2026-11-01) or an ISO 8601 time (2026-11-01T12:00:00Z)");
    }

    internal static string? ConfigFile(ParseResult p) => p.GetValue(ConfigOption);
}
