using System.Diagnostics;
using System.Security.Cryptography;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Monitor.Alerts;
using Monitor.Core.Alerts;
using Monitor.Core.Budgets;
using Monitor.Core.Pricing;
using Monitor.Hosting;
using Monitor.Storage;
using static System.FormattableString;

namespace Monitor.Benchmarks;

/// <summary>
/// Alert delivery through the outbox to channels over real HTTP (<see cref="ChannelReceiver"/> on 127.0.0.1): a signed
/// webhook, a Slack channel and the built-in email channel (a pickup directory), with the monitor's services built in
/// process as <c>monitor check</c> builds them. N budget alerts (<see cref="BudgetRules"/> with
/// <see cref="BudgetEvidence"/>, chart included; each its own budget, so no cooldown holds one back) are raised in one
/// <see cref="AlertRaiser.RaiseAsync"/>, which composes and queues every channel's message; then
/// <see cref="OutboxDispatcher.SendDueAsync"/> runs in a loop until only the hanging channel has messages waiting.
/// Twice: without, then with a third channel, a webhook that hangs (answers after 30 s; Timeout 5 s), to see whether
/// it delays the others. After each, the outbox status per channel is read once, as the dashboard and /metrics read
/// it. A small run before both warms up the JIT and the connections.
/// </summary>
public static class ChannelsBenchmark
{
    private const string HookChannel = "hook", SlackChannel = "slack", HangChannel = "hang";
    private static readonly string[] Fast = [HookChannel, SlackChannel];

    private sealed record Delivery(string Channel, int Arrived, double FinishedS, double P50Ms, double P99Ms);

    private sealed record Run(
        int Raised, long Messages, TimeSpan Raise, IReadOnlyList<Delivery> Fast, int Signed, int Passes, double FirstPassS, double LoopS,
        double EmailDoneS, long EmailSent, int HangAttempts, long HangWaiting, TimeSpan Status);

    public static async Task RunAsync(int alerts, CancellationToken ct)
    {
        Console.WriteLine(Invariant($"channels: {alerts:N0} budget alerts to a signed webhook, Slack and email (pickup directory) over HTTP on 127.0.0.1; load average {LoadAverage()} ..."));
        await RunOnceAsync(50, hanging: false, ct); // warm-up
        foreach (var hanging in new[] { false, true })
        {
            var r = await RunOnceAsync(alerts, hanging, ct);
            Console.WriteLine(hanging ? "  with a hanging webhook channel (answers after 30 s, Timeout 5 s):" : "  without a hanging channel:");
            Console.WriteLine(Invariant($"    raise and queue: {r.Raised:N0} alerts, {r.Messages:N0} messages composed, in {r.Raise.TotalSeconds:F2} s = {r.Raised / r.Raise.TotalSeconds:N0} alerts/s ({r.Messages / r.Raise.TotalSeconds:N0} messages/s)"));
            foreach (var d in r.Fast)
                Console.WriteLine(Invariant($"    {d.Channel,-6} {d.Arrived:N0} arrived, last at {d.FinishedS:F2} s = {d.Arrived / d.FinishedS:N0} messages/s; from the start of sending to arrival p50 {d.P50Ms:N0} ms, p99 {d.P99Ms:N0} ms"));
            Console.WriteLine(Invariant($"    email  {r.EmailSent:N0} written to the pickup directory, done after the pass ending at {r.EmailDoneS:F2} s = {r.EmailSent / r.EmailDoneS:N0} messages/s"));
            Console.WriteLine(Invariant($"    {r.Passes} SendDueAsync passes in {r.LoopS:F2} s, the first {r.FirstPassS:F2} s; webhook POSTs signed {r.Signed:N0}"));
            if (hanging)
                Console.WriteLine(Invariant($"    hanging channel: {r.HangAttempts} POST(s) made, each given up after 5 s; {r.HangWaiting:N0} messages waiting for their retry"));
            Console.WriteLine(Invariant($"    outbox status per channel (OutboxRepository.StatusAsync: dashboard, /metrics) read afterwards in {r.Status.TotalMilliseconds:N0} ms"));
        }

        Console.WriteLine(Invariant($"  load average after the run {LoadAverage()}"));
    }

    private static async Task<Run> RunOnceAsync(int alerts, bool hanging, CancellationToken ct)
    {
        await using var receiver = await ChannelReceiver.StartAsync(TimeSpan.FromSeconds(30), ct);
        using var ledger = await BenchLedger.CreateAsync(ct);
        var folder = Directory.CreateTempSubdirectory("monitor-bench-channels-").FullName;
        var variables = new List<string>();
        try
        {
            string Env(string value)
            {
                var name = "MONITOR_BENCH_" + Guid.NewGuid().ToString("N").ToUpperInvariant();
                Environment.SetEnvironmentVariable(name, value);
                variables.Add(name);
                return name;
            }

            var settings = new Dictionary<string, string?>(ledger.Settings)
            {
                ["Monitor:Alerts:Email:PickupDirectory"] = Path.Combine(folder, "pickup"),
                ["Monitor:Alerts:Email:To:0"] = "finops@example.com",
                ["Monitor:Alerts:DashboardUrl"] = "https://monitor.example.com",
                ["Monitor:Alerts:Channels:0:Name"] = HookChannel,
                ["Monitor:Alerts:Channels:0:Kind"] = "Webhook",
                ["Monitor:Alerts:Channels:0:UrlEnv"] = Env(receiver.Url(ChannelReceiver.Hook).ToString()),
                ["Monitor:Alerts:Channels:0:SecretEnv"] = Env(Secret()),
                ["Monitor:Alerts:Channels:1:Name"] = SlackChannel,
                ["Monitor:Alerts:Channels:1:Kind"] = "Slack",
                ["Monitor:Alerts:Channels:1:UrlEnv"] = Env(receiver.Url(ChannelReceiver.Slack).ToString()),
            };
            if (hanging)
            {
                settings["Monitor:Alerts:Channels:2:Name"] = HangChannel;
                settings["Monitor:Alerts:Channels:2:Kind"] = "Webhook";
                settings["Monitor:Alerts:Channels:2:UrlEnv"] = Env(receiver.Url(ChannelReceiver.Hang).ToString());
                settings["Monitor:Alerts:Channels:2:SecretEnv"] = Env(Secret());
                settings["Monitor:Alerts:Channels:2:Timeout"] = "00:00:05";
            }

            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            await using var services = new ServiceCollection()
                .AddLogging(l => l.SetMinimumLevel(LogLevel.Error))
                .AddMonitorCore(configuration)
                .BuildServiceProvider();
            var outbox = services.GetRequiredService<OutboxRepository>();
            var dispatcher = services.GetRequiredService<OutboxDispatcher>();
            var now = TimeProvider.System.GetUtcNow();
            var decisions = Decisions(alerts, now);

            GC.Collect();
            var raise = Stopwatch.StartNew();
            var raised = await services.GetRequiredService<AlertRaiser>().RaiseAsync(decisions, now, ct);
            raise.Stop();
            var messages = (await outbox.StatusAsync(ct)).Sum(s => s.Pending);

            var started = Stopwatch.GetTimestamp();
            var passes = 0;
            double firstPass = 0, emailDone = 0, elapsed;
            while (true)
            {
                await dispatcher.SendDueAsync(ct);
                passes++;
                elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
                if (passes == 1)
                    firstPass = elapsed;
                var waiting = await WaitingAsync(ledger, ct);
                if (emailDone == 0 && !waiting.ContainsKey(OutboxMessage.EmailChannel))
                    emailDone = elapsed;
                if (waiting.Keys.All(channel => channel == HangChannel))
                    break;
                if (elapsed > 600)
                    throw new InvalidOperationException("channels: the fast channels still have messages waiting after 10 minutes");
            }

            // What the dashboard's alert section and /metrics read, once the fast channels are done.
            var statusClock = Stopwatch.StartNew();
            var final = await outbox.StatusAsync(ct);
            statusClock.Stop();
            var fast = Fast.Select(name => Figures(name, receiver.Arrivals(name == HookChannel ? ChannelReceiver.Hook : ChannelReceiver.Slack), started)).ToList();
            return new Run(
                raised, messages, raise.Elapsed, fast, receiver.Signed, passes, firstPass, elapsed, emailDone,
                final.Single(s => s.Channel == OutboxMessage.EmailChannel).Sent, receiver.Arrivals(ChannelReceiver.Hang).Count,
                final.SingleOrDefault(s => s.Channel == HangChannel)?.Pending ?? 0, statusClock.Elapsed);
        }
        finally
        {
            foreach (var name in variables)
                Environment.SetEnvironmentVariable(name, null);
            Directory.Delete(folder, recursive: true);
        }
    }

    // Messages not yet accepted, per channel (no channel refuses any here). Served by the index on (channel, sent_at, ...).
    private static async Task<Dictionary<string, long>> WaitingAsync(BenchLedger ledger, CancellationToken ct)
    {
        await using var c = await ledger.Database.OpenAsync(ct);
        var rows = await c.QueryAsync<(string Channel, long Count)>(new CommandDefinition(
            "SELECT channel, COUNT(*) FROM outbox WHERE sent_at IS NULL GROUP BY channel", cancellationToken: ct));
        return rows.ToDictionary(r => r.Channel, r => r.Count, StringComparer.Ordinal);
    }

    private static Delivery Figures(string channel, IReadOnlyList<long> arrivals, long started)
    {
        var ms = arrivals.Select(a => Stopwatch.GetElapsedTime(started, a).TotalMilliseconds).Order().ToArray();
        return ms.Length == 0
            ? new Delivery(channel, 0, 0, 0, 0)
            : new Delivery(channel, ms.Length, ms[^1] / 1000, ms[(int)(ms.Length * 0.50)], ms[Math.Min(ms.Length - 1, (int)(ms.Length * 0.99))]);
    }

    // One budget per alert, past 80 % (every tenth past 100 %) of its month, as BudgetEvaluator would decide them.
    private static List<AlertDecision> Decisions(int count, DateTimeOffset now)
    {
        var decisions = new List<AlertDecision>(count);
        for (var i = 0; i < count; i++)
        {
            var budget = new BudgetDefinition
            {
                Name = Invariant($"team-{i:D4}"),
                Scope = new BudgetScope(Account: "openai-prod", Workspace: Invariant($"proj_{i}")),
                Amount = 1_000 + i,
                Currency = Currency.USD,
                Period = BudgetPeriodKind.Month,
                TimeZone = TimeZoneInfo.Utc,
                Forecast = false,
            };
            var period = budget.PeriodAt(now);
            var spent = decimal.Round(budget.Amount * (i % 10 == 0 ? 1.02m : 0.85m), 2);
            var days = Math.Max(1, (int)Math.Ceiling((now - period.Start).TotalDays));
            var status = new BudgetStatus
            {
                Budget = budget,
                Period = period,
                At = now,
                Spent = spent,
                Cumulative = [.. Enumerable.Range(0, days + 1).Select(d => (d == days ? now : period.Start.AddDays(d), decimal.Round(spent * d / days, 2)))],
                TopModels = [("gpt-4o", decimal.Round(spent * 0.6m, 2)), ("gpt-4.1-mini", decimal.Round(spent * 0.3m, 2)), ("o4-mini", decimal.Round(spent * 0.1m, 2))],
                TopKeys = [(Invariant($"key_{i}"), decimal.Round(spent * 0.7m, 2)), (Invariant($"key_{i + 1}"), decimal.Round(spent * 0.3m, 2))],
            };
            decisions.AddRange(BudgetRules.Decide(status, BudgetEvidence.Build(status)));
        }

        return decisions;
    }

    private static string Secret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
