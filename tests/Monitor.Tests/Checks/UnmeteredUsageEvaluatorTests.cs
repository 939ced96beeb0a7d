using System.Globalization;
using Microsoft.Extensions.Options;
using MimeKit;
using Monitor.Checks;
using Monitor.Core.Alerts;
using Monitor.Core.Usage;
using Monitor.Dashboard;
using Monitor.Hosting;
using Monitor.Ledger;
using Monitor.Storage;
using Monitor.Tests.Dashboard;
using Monitor.Tests.Storage;
using Monitor.Tests.Support;

namespace Monitor.Tests.Checks;

/// <summary>
/// Unmetered usage through the check, the export and the dashboard: an account whose provider reports EUR 2 an hour
/// while the proxy meters EUR 0.50 of it (from 2026-11-19 on), checked on 2026-11-22 at 15:30 after a pull at 15:00.
/// </summary>
public sealed class UnmeteredUsageEvaluatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 15, 30, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset ApiFrom = new(2026, 11, 18, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset ProxyFrom = new(2026, 11, 19, 0, 0, 0, TimeSpan.Zero);
    private static readonly int ApiHours = (int)(Now - ApiFrom).TotalHours;
    private static readonly int ProxyHours = (int)(Now - ProxyFrom).TotalHours;

    private static Task SeedAsync(TempLedger ledger, decimal proxyPerHour = 0.5m) => SeedAsync(ledger.Database, ledger.Clock, proxyPerHour);

    private static async Task SeedAsync(Database database, TimeProvider clock, decimal proxyPerHour = 0.5m)
    {
        await UsageSourceLedger.SyncAsync(database, clock);
        await UsageSourceLedger.WriteAsync(database, clock, UsageSourceLedger.Api(ApiFrom, ApiHours));
        await UsageSourceLedger.WriteAsync(database, clock, UsageSourceLedger.Proxied(ProxyFrom, ProxyHours, proxyPerHour), "proxy");
        await LedgerSeed.PullRunAsync(database, UsageSourceLedger.Account, Now.AddMinutes(-30), "ok");
    }

    private static Task<IReadOnlyList<UnmeteredDay>> DaysAsync(TempLedger ledger, DateTimeOffset asOf) =>
        new UsageSourceRepository(ledger.Database, ledger.Clock).UnmeteredDaysAsync(
            asOf.AddDays(-8), asOf, asOf, TimeSpan.FromHours(4), new UnmeteredOptions().ToRules(), CancellationToken.None);

    [Theory, BothDialects]
    public async Task Check_UsageAroundTheProxy_AlertsOncePerAccountAndDayWithTheModelsAndAmounts(SqlDialect dialect)
    {
        await using var h = CheckHarness.Start(Now, dialect: dialect);
        await SeedAsync(h.Ledger);

        var first = await h.Checks.RunAsync(null, true, CancellationToken.None);
        var second = await h.Checks.RunAsync(null, true, CancellationToken.None);

        Assert.Empty(first.Failures);
        Assert.Equal((3, 0), (first.Decisions["unmetered"], second.Raised));
        Assert.Equal(
            ["unmetered_usage:mistral-prod:2026-11-19", "unmetered_usage:mistral-prod:2026-11-20", "unmetered_usage:mistral-prod:2026-11-21"],
            await h.Ledger.QueryAsync<string>("SELECT dedup_key FROM alerts WHERE kind = 'unmetered_usage' ORDER BY dedup_key"));
        var mail = Assert.Single(Directory.GetFiles(h.Pickup, "*.eml").Select(f => MimeMessage.Load(f)), m => m.Subject!.StartsWith("[Unmetered]", StringComparison.Ordinal));
        // The first day mails; the next days fall within its cooldown and go to the digest.
        Assert.Equal("[Unmetered] mistral-prod 2026-11-19: EUR 36.00 of EUR 48.00 (75 %) did not go through the proxy", mail.Subject);
        Assert.Contains("mistral-large-2411", mail.TextBody!, StringComparison.Ordinal);
        Assert.Contains("EUR 36.00 (EUR 48.00 reported, EUR 12.00 metered)", mail.TextBody, StringComparison.Ordinal);
    }

    [Theory, BothDialects]
    public async Task Check_ProxySeesEverything_RaisesNothing(SqlDialect dialect)
    {
        await using var h = CheckHarness.Start(Now, dialect: dialect);
        await SeedAsync(h.Ledger, proxyPerHour: 2m);

        var result = await h.Checks.RunAsync(null, true, CancellationToken.None);

        Assert.Equal(0, result.Decisions["unmetered"]);
        Assert.All(await DaysAsync(h.Ledger, Now), d => Assert.Equal((0L, 48_000_000L), (d.Unmetered, d.Metered)));
    }

    [Theory, BothDialects]
    public async Task UnmeteredDays_OnlyCompletedDaysSinceTheProxyStarted_AreCompared(SqlDialect dialect)
    {
        using var ledger = new TempLedger(Now, dialect);
        await SeedAsync(ledger);

        var afternoon = await DaysAsync(ledger, Now);
        var earlyMorning = await DaysAsync(ledger, new DateTimeOffset(2026, 11, 22, 2, 0, 0, TimeSpan.Zero)); // 2026-11-21 not settled yet

        Assert.Equal(["2026-11-19", "2026-11-20", "2026-11-21"], afternoon.Select(Day)); // not 11-18 (before the proxy) nor today
        Assert.Equal(["2026-11-19", "2026-11-20"], earlyMorning.Select(Day));
    }

    [Theory, BothDialects]
    public async Task UnmeteredDays_ProviderDataNotPulledSinceTheDayClosed_IsNotCompared(SqlDialect dialect)
    {
        using var ledger = new TempLedger(new DateTimeOffset(2026, 11, 21, 23, 0, 0, TimeSpan.Zero), dialect); // every row written (ingested) before midnight
        await UsageSourceLedger.SyncAsync(ledger);
        await UsageSourceLedger.WriteAsync(ledger, UsageSourceLedger.Api(ApiFrom, 24 * 4));
        await UsageSourceLedger.WriteAsync(ledger, UsageSourceLedger.Proxied(ProxyFrom, 24 * 3), "proxy");

        var days = await DaysAsync(ledger, Now);

        Assert.Equal(["2026-11-19", "2026-11-20"], days.Select(Day)); // 2026-11-21 may still grow at the provider
    }

    [Theory, BothDialects]
    public async Task ExportReconciliation_BothSources_AddsProxyLinesBesideTheEstimateLines(SqlDialect dialect)
    {
        using var ledger = new TempLedger(Now, dialect);
        await SeedAsync(ledger);
        var exporter = new LedgerExporter(ledger.Database, TempLedger.Catalog, Options.Create(new MonitorOptions()), ledger.Clock);
        var csv = new StringWriter(CultureInfo.InvariantCulture);

        await exporter.ExportAsync("reconciliation", ExportFormat.Csv, csv, null, null, CancellationToken.None);

        var lines = csv.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal(string.Join(",", LedgerExporter.ReconciliationColumns), lines[0]);
        var proxy = lines.Where(l => l.Contains(",proxy,", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, proxy.Count);
        Assert.Equal("2026-11-21T00:00:00Z,mistral-prod,mistral,mistral-large-2411,EUR,48,12,36,75,,,proxy,12000000,3000000,9000000,", proxy[2]);
        Assert.Equal(5, lines.Count(l => l.EndsWith(",estimate,,,,", StringComparison.Ordinal))); // one per day from 2026-11-18, counted rows only
        Assert.Equal(lines.IndexOf(proxy[2]) - 1, lines.FindIndex(l => l.StartsWith("2026-11-21T00:00:00Z,", StringComparison.Ordinal))); // beside its day's estimate line
    }

    [Theory, BothDialects]
    public async Task Overview_BothSources_ShowsUnmeteredDaysAndTheOtherSourceBesideTheCountedOne(SqlDialect dialect)
    {
        using var ledger = new TempLedger(Now, dialect);
        await using var app = await DashboardTestApp.StartAsync(
            Now, database => SeedAsync(database, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Now)), database: ledger.Database);

        var html = await app.Client.GetStringAsync("/");

        var panel = Section(html, "panel-6");
        Assert.Contains("Unmetered usage", panel, StringComparison.Ordinal);
        Assert.Contains("<td class=\"nowrap\">2026-11-21</td>", panel, StringComparison.Ordinal);
        Assert.DoesNotContain("<td class=\"nowrap\">2026-11-22</td>", panel, StringComparison.Ordinal); // today is not complete
        Assert.Contains("EUR 36.00", panel, StringComparison.Ordinal);
        var sources = Section(html, "usage-sources");
        Assert.Contains("provider&#39;s usage API", sources, StringComparison.Ordinal);
        Assert.Contains("metering proxy", sources, StringComparison.Ordinal);
        Assert.Contains("EUR 222.00", sources, StringComparison.Ordinal); // counted: the API's 111 hours
        Assert.Contains("EUR 43.50", sources, StringComparison.Ordinal);  // beside it: the proxy's 87 metered hours
        var monthToDate = Section(html, "panel-0");
        Assert.Contains("EUR 222.00", monthToDate, StringComparison.Ordinal);
        Assert.DoesNotContain("265.50", monthToDate, StringComparison.Ordinal); // never the two added
    }

    private static string Day(UnmeteredDay d) => d.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Section(string html, string id)
    {
        var start = html.IndexOf($"id=\"{id}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section {id}");
        var end = html.IndexOf("</section>", start, StringComparison.Ordinal);
        return html[start..end];
    }
}
