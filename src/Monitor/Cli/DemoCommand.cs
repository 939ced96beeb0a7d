using System.CommandLine;
using System.Security.Cryptography;
using Monitor.Checks;
using Monitor.Dashboard;
using Monitor.Demo;
using Monitor.Hosting;
using Monitor.Jobs;
using Monitor.Storage;

namespace Monitor.Cli;

/// <summary>
/// <c>monitor demo</c>: fake providers on 127.0.0.1 serving synthetic usage in their real wire formats,
/// pulled by the real connectors into a ledger of its own (Monitor:Demo:Path), one check (demo budgets sized from the
/// scenario unless budgets are configured; mail to <c>demo-outbox</c> beside the ledger unless SMTP is), then the
/// dashboard on it. No keys, no SMTP, nothing to configure.
/// </summary>
public static class DemoCommand
{
    public const string KeyVariable = "MONITOR_DEMO_KEY";

    /// <summary>The demo OpenAI account's ordinary project key (its <c>ModelsApiKeyEnv</c>): the fake refuses the admin key on <c>/v1/models</c>.</summary>
    public const string OpenAIModelsKeyVariable = "MONITOR_DEMO_OPENAI_PROJECT_KEY";

    /// <summary>The demo's accounts: name, kind, and the fake provider (mount) they pull from.</summary>
    public static IReadOnlyList<(string Name, string Kind, string Mount)> Accounts { get; } =
    [
        ("demo-mistral", "Mistral", "mistral"),
        ("demo-openai", "OpenAI", "openai"),
        ("demo-anthropic", "Anthropic", "anthropic"),
        ("demo-openrouter", "OpenRouter", "openrouter"),
        ("demo-kilo", "Kilo", "kilo"),
        ("demo-litellm", "LiteLLM", "litellm"),
    ];

    /// <summary>The demo account that pulls from a fake provider (mount).</summary>
    public static string AccountOf(string mount) => Accounts.Single(a => a.Mount == mount).Name;

    /// <summary>Who the demo's alert mail is addressed to when no recipient is configured (it only lands in the pickup directory).</summary>
    public const string DemoRecipient = "finops@example.com";

    /// <summary>Where the demo's alert mail lands without SMTP: <c>demo-outbox</c> beside the demo ledger.</summary>
    public static string PickupDirectory(string demoLedgerPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(demoLedgerPath)) ?? ".", "demo-outbox");

    /// <summary>
    /// The demo's budgets unless the user configured some; without an SMTP host, mail goes to <c>demo-outbox</c> beside
    /// the demo ledger (never the real pickup directory), addressed to <see cref="DemoRecipient"/> when nobody is configured.
    /// </summary>
    public static void UseDemoAlerting(MonitorOptions o, List<BudgetOptions> demoBudgets)
    {
        if (o.Budgets.Count == 0)
            o.Budgets = demoBudgets;
        if (!string.IsNullOrWhiteSpace(o.Alerts.Email.Smtp.Host))
            return;
        o.Alerts.Email.PickupDirectory = PickupDirectory(o.Demo.Path);
        if (o.Alerts.Email.To.Count == 0)
            o.Alerts.Email.To = [DemoRecipient];
    }

    public static Command Create(Func<Func<Task<int>>, Task<int>> guard)
    {
        var once = new Option<bool>("--once") { Description = "Fill the demo ledger and exit instead of serving" };
        var command = new Command("demo", "Serve the dashboard on demo data: no keys, no SMTP, nothing to configure") { once };
        command.SetAction((p, ct) => guard(() => RunAsync(MonitorCli.ConfigFile(p), p.GetValue(once), ct)));
        return command;
    }

    public static async Task<int> RunAsync(string? configFile, bool once, CancellationToken ct)
    {
        var configuration = MonitorSettings.Build(configFile);
        var options = MonitorSettings.Bind(configuration);
        var scenario = DemoScenario.Create(TimeProvider.System.GetUtcNow(), options.Demo.Days, options.Demo.Seed);

        // A fresh random key per run: the fake checks it like a provider would, and it never leaves this process.
        var key = "demo-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        Environment.SetEnvironmentVariable(KeyVariable, key);
        Environment.SetEnvironmentVariable(OpenAIModelsKeyVariable, FakeOpenAIEndpoints.ProjectKeyOf(key));
        await using var server = await FakeProviderServer.StartAsync(scenario, key, ct);

        var backfill = TimeSpan.FromDays(options.Demo.Days + 1);
        var budgets = DemoBudgets.For(scenario, AccountOf(DemoScenario.Mistral), AccountOf(DemoScenario.OpenAI));
        void Adjust(MonitorOptions o)
        {
            o.Storage.Sqlite.Path = o.Demo.Path;
            o.Pull.InitialBackfill = backfill;
            UseDemoAlerting(o, budgets);
            o.Providers =
            [
                .. Accounts.Select(a => new ProviderOptions
                {
                    Name = a.Name, Kind = a.Kind, BaseUrl = server.BaseUrlOf(a.Mount).ToString(), ApiKeyEnv = KeyVariable,
                    ModelsApiKeyEnv = a.Mount == DemoScenario.OpenAI ? OpenAIModelsKeyVariable : KeyVariable,
                    Schedule = "0 */15 * * * ?", Demo = true,
                    // The fake Mistral is also reached through the metering proxy (its usage stays counted from the API).
                    Proxy = new ProxyOptions { Enabled = a.Mount == DemoScenario.Mistral },
                    Currency = a.Mount == DemoScenario.Mistral ? "EUR" : "",
                }),
            ];
        }

        Adjust(options);
        await using (var context = await CliContext.StartAsync(configFile, ct, Adjust))
        {
            var progress = new TerminalProgress<string>(s => "demo: pulling " + s);
            var results = await context.Get<PullService>().PullAllAsync(null, null, null, progress, ct);
            progress.Done();
            foreach (var r in results)
                await Console.Error.WriteLineAsync(r.Ok ? $"demo: {r.Account}: {r.Records} records" : $"demo: {r.Account}: FAILED: {r.Error}");
            if (!results.All(r => r.Ok))
                return MonitorCli.Failure;
            // What the proxy metered before: one Mistral team's key on the last completed day (one unmetered-usage finding).
            await DemoProxyHistory.WriteAsync(
                context.Get<Database>(), scenario, AccountOf(DemoScenario.Mistral), TimeProvider.System.GetUtcNow(), context.Options.Alerts.Unmetered.SettleDelay, ct);
            var proxied = await DemoProxyTraffic.SendAsync(configuration, Adjust, server, AccountOf(DemoScenario.Mistral), ct);
            await Console.Error.WriteLineAsync($"demo: {proxied} calls of three developers through the metering proxy to {AccountOf(DemoScenario.Mistral)}");

            // One check, so the dashboard opens on open alerts (the incident, budgets, deprecations, keys) with their mail.
            var check = await context.Get<CheckService>().RunAsync(null, send: true, ct);
            foreach (var failure in check.Failures)
                await Console.Error.WriteLineAsync($"demo: check: {failure}");
            var open = (await context.Get<AlertRepository>().ListAsync(OpenAlerts.Statuses, int.MaxValue, ct)).Count;
            var email = context.Options.Alerts.Email;
            Console.WriteLine(string.IsNullOrWhiteSpace(email.Smtp.Host)
                ? $"demo: {open} open alert(s), {check.Raised} new; {check.Sent} message(s) delivered (mail as .eml files in {Path.GetFullPath(email.PickupDirectory)})"
                : $"demo: {open} open alert(s), {check.Raised} new; {check.Sent} message(s) delivered (mail through {email.Smtp.Host}:{email.Smtp.Port})");
            if (check.DeliveryError is { } error)
                await Console.Error.WriteLineAsync($"demo: mail not delivered: {error}");
        }

        if (once)
        {
            Console.WriteLine($"demo: ledger filled at {Path.GetFullPath(options.Storage.Sqlite.Path)}");
            return MonitorCli.Ok;
        }

        var app = MonitorWebHost.Build(configuration, options, Adjust);
        var url = options.Dashboard.Urls.Split(';')[0];
        await Console.Error.WriteLineAsync($"demo: open {url} (Ctrl+C to stop)");
        await Console.Error.WriteLineAsync(
            $"demo: the proxy: curl {url}/proxy/{AccountOf(DemoScenario.Mistral)}/v1/chat/completions -H 'Authorization: Bearer {DemoProxyTraffic.TryKey}' -d '{{\"model\":\"mistral-small-2603\",\"messages\":[{{\"role\":\"user\",\"content\":\"hi\"}}]}}'");
        await MonitorWebHost.RunAsync(app, ct);
        return MonitorCli.Ok;
    }
}
