using Monitor.Alerts;
using Monitor.Alerts.Channels;
using Monitor.Hosting;
using System.CommandLine;
using System.Globalization;
using Monitor.Core;
using Monitor.Core.Alerts;
using Monitor.Storage;

namespace Monitor.Cli;

/// <summary>
/// <c>monitor alerts list|ack|false|mute</c>: what was raised and what people say about it. Mute is planned activity:
/// the alert's scope is muted until the given time and anomaly baselines leave that stretch out.
/// </summary>
public static class AlertsCommand
{
    public static Command Create(Func<Func<Task<int>>, Task<int>> guard)
    {
        var status = new Option<string>("--status") { Description = "open or all", DefaultValueFactory = _ => "open" };
        status.AcceptOnlyFromAmong("open", "all");
        var list = new Command("list", "List alerts, newest first") { status };
        list.SetAction((p, ct) => guard(() => ListAsync(p, p.GetValue(status) == "all", ct)));

        var command = new Command("alerts", "List alerts, acknowledge them, mark them false or mute planned activity") { list };
        command.Add(Handle("ack", "Acknowledge an alert (seen, being dealt with)", AlertStatus.Acknowledged, guard));
        command.Add(Handle("false", "Mark an alert as a false alarm", AlertStatus.False, guard));

        var id = new Argument<long>("ID") { Description = "The alert's id (alerts list)" };
        var until = new Option<string>("--until") { Description = "Planned activity ends at this date or time (UTC)", Required = true };
        var reason = new Option<string?>("--reason") { Description = "Why (a load test, a launch)" };
        var mute = new Command("mute", "Planned activity: mute the alert's scope until a time; it stays out of anomaly baselines") { id, until, reason };
        mute.SetAction((p, ct) => guard(async () =>
        {
            var end = MonitorCli.ParseTime(p.GetValue(until), "--until")!.Value;
            await using var context = await CliContext.StartAsync(MonitorCli.ConfigFile(p), ct);
            var muted = await context.Get<AlertHandling>().MuteAsync(p.GetValue(id), end, p.GetValue(reason) ?? "planned activity", ct);
            if (muted is null)
                return NoSuchAlert(p.GetValue(id));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"alert {p.GetValue(id)}: muted until {end:yyyy-MM-dd HH:mm} UTC (mute {muted.Id})"));
            return MonitorCli.Ok;
        }));
        command.Add(mute);
        command.Add(TestCommand(guard));
        return command;
    }

    /// <summary><c>alerts test --channel NAME</c>: a sample alert through one channel now, so a set-up can be checked before a real alert needs it.</summary>
    private static Command TestCommand(Func<Func<Task<int>>, Task<int>> guard)
    {
        var channel = new Option<string>("--channel") { Description = "The channel's name (email, or a name from Monitor:Alerts:Channels)", Required = true };
        var kind = new Option<string>("--kind") { Description = "The alert kind to dress the sample as", DefaultValueFactory = _ => "budget_threshold" };
        kind.AcceptOnlyFromAmong([.. Enum.GetValues<AlertKind>().Select(k => SnakeCase.Of(k))]);
        var test = new Command("test", "Send a sample alert through one channel now and say whether it arrived") { channel, kind };
        test.SetAction((p, ct) => guard(async () =>
        {
            await using var context = await CliContext.StartAsync(MonitorCli.ConfigFile(p), ct);
            var channels = context.Get<AlertChannels>();
            var name = p.GetValue(channel)!;
            var target = channels.Find(name)
                ?? throw new BadInputException($"--channel: '{name}' is not a channel (configured: {string.Join(", ", channels.All.Select(c => c.Name))})");
            if (!SnakeCase.TryParse<AlertKind>(p.GetValue(kind), out var alertKind))
                throw new BadInputException($"--kind: '{p.GetValue(kind)}' is not an alert kind");
            var now = context.Get<TimeProvider>().GetUtcNow();
            var sample = SampleAlert.Create(alertKind, target.Name, now);
            var composer = context.Get<ChannelComposer>();
            // An Alertmanager test alert ends itself after five minutes: a test must not page anyone for a week.
            var message = target.Kind == AlertChannelKind.Alertmanager
                ? composer.ComposeEnding(target, sample, now.AddMinutes(5), sample.DedupKey)
                : await composer.ComposeAsync(target, sample, now);
            var outcome = await context.Get<OutboxDispatcher>().SendNowAsync(target, message, ct);
            if (outcome.Result == ChannelResult.Sent)
            {
                Console.WriteLine($"channel '{target.Name}' ({SnakeCase.Of(target.Kind)}): sample alert delivered: {sample.Title}");
                return MonitorCli.Ok;
            }

            Console.Error.WriteLine($"channel '{target.Name}' ({SnakeCase.Of(target.Kind)}): NOT delivered: {outcome.Error}");
            return MonitorCli.Failure;
        }));
        return test;
    }

    private static Command Handle(string name, string description, AlertStatus status, Func<Func<Task<int>>, Task<int>> guard)
    {
        var id = new Argument<long>("ID") { Description = "The alert's id (alerts list)" };
        var note = new Option<string?>("--note") { Description = "A note kept with the alert" };
        var command = new Command(name, description) { id, note };
        command.SetAction((p, ct) => guard(async () =>
        {
            await using var context = await CliContext.StartAsync(MonitorCli.ConfigFile(p), ct);
            if (!await context.Get<AlertHandling>().SetStatusAsync(p.GetValue(id), status, p.GetValue(note), ct))
                return NoSuchAlert(p.GetValue(id));
            Console.WriteLine($"alert {p.GetValue(id)}: {SnakeCase.Of(status)}");
            return MonitorCli.Ok;
        }));
        return command;
    }

    private static async Task<int> ListAsync(ParseResult p, bool all, CancellationToken ct)
    {
        await using var context = await CliContext.StartAsync(MonitorCli.ConfigFile(p), ct);
        var statuses = all ? Enum.GetValues<AlertStatus>() : [AlertStatus.Open, AlertStatus.Sent];
        foreach (var a in await context.Get<AlertRepository>().ListAsync(statuses, 1000, ct))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{a.Id}\t{a.RaisedAt:yyyy-MM-dd HH:mm}\t{SnakeCase.Of(a.Severity)}\t{SnakeCase.Of(a.Status)}\t{SnakeCase.Of(a.Kind)}\t{a.Title}"));
        }

        return MonitorCli.Ok;
    }

    private static int NoSuchAlert(long id)
    {
        Console.Error.WriteLine($"monitor alerts: no alert with id {id}");
        return MonitorCli.BadUsage;
    }
}
