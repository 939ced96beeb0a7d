using System.CommandLine;
using System.Globalization;
using Monitor.Checks;

namespace Monitor.Cli;

/// <summary>
/// <c>monitor check [--as-of TIME] [--no-send]</c>: one check now (or as of a past time, seeing only data up to it),
/// then the outbox is sent. Running it twice in a row raises and sends nothing new.
/// </summary>
public static class CheckCommand
{
    public static Command Create(Func<ParseResult, string?> configFile, Func<Func<Task<int>>, Task<int>> guard)
    {
        var asOf = new Option<string?>("--as-of") { Description = "Evaluate as if now were TIME (ISO 8601 or a date, UTC); alerts are stamped with it" };
        var noSend = new Option<bool>("--no-send") { Description = "Queue the alerts' messages in the outbox but do not send them now" };
        var command = new Command("check", "Run the checks once (budgets, guard rails, anomalies, deprecations, keys, stale data) and send due alerts")
        {
            asOf, noSend,
        };
        command.SetAction((p, ct) => guard(async () =>
        {
            var time = MonitorCli.ParseTime(p.GetValue(asOf), "--as-of");
            await using var context = await CliContext.StartAsync(configFile(p), ct);
            var result = await context.Get<CheckService>().RunAsync(time, send: !p.GetValue(noSend), ct);
            var parts = string.Join(", ", result.Decisions.Select(d => string.Create(CultureInfo.InvariantCulture,
                $"{d.Key} {d.Value} in {result.Durations.GetValueOrDefault(d.Key).TotalSeconds:F1} s")));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"check as of {result.AsOf.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z: decisions ({parts}); {result.Raised} new alert(s); {result.Sent} message(s) delivered, {result.Pending} waiting"));
            foreach (var failure in result.Failures)
                await Console.Error.WriteLineAsync($"monitor check: {failure}");
            if (result.DeliveryError is { } error)
                await Console.Error.WriteLineAsync($"monitor check: not delivered, will retry: {error}");
            return result.Failures.Count == 0 && result.DeliveryError is null ? MonitorCli.Ok : MonitorCli.Failure;
        }));
        return command;
    }
}
