using System.CommandLine;
using Microsoft.Extensions.Options;
using Monitor.Dashboard;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Cli;

/// <summary><c>monitor report --out DIR</c>: the dashboard pages as static HTML with PNG charts beside them.</summary>
public static class ReportCommand
{
    public static Command Create(Func<Func<Task<int>>, Task<int>> guard)
    {
        var output = new Option<string>("--out") { Description = "The folder to write (created if missing)", Required = true };
        var command = new Command("report", "Write a static snapshot of the dashboards (HTML + PNG charts)") { output };
        command.SetAction((p, ct) => guard(() => RunAsync(MonitorCli.ConfigFile(p), p.GetValue(output)!, ct)));
        return command;
    }

    public static async Task<int> RunAsync(string? configFile, string directory, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(directory))
            throw new BadInputException("--out: must name a folder");
        await using var context = await CliContext.StartAsync(configFile, ct);
        var catalog = DashboardCatalog.Load(context.Options.Dashboard.Directory, Directory.GetCurrentDirectory());
        var database = context.Get<Database>();
        var reader = new DashboardReader(
            new DashboardRepository(database), catalog, context.Get<TimeProvider>(), context.Get<IOptions<MonitorOptions>>(),
            context.Get<AlertRepository>(), context.Get<OutboxRepository>(), context.Get<IEnumerable<IBudgetGaugeSource>>(),
            context.Get<IEnumerable<IDeprecationSource>>(), context.Get<IEnumerable<IKeyRotationSource>>());
        var result = await DashboardReport.WriteAsync(reader, directory, ct);
        Console.WriteLine($"report: {result.Pages} pages and {result.Charts} charts in {Path.GetFullPath(directory)} (open index.html)");
        return MonitorCli.Ok;
    }
}
