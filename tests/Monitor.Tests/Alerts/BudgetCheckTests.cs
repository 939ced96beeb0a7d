using MimeKit;
using Monitor.Core.Alerts;
using Monitor.Storage;
using Monitor.Tests.Support;

namespace Monitor.Tests.Alerts;

/// <summary>Budget thresholds through the whole check on a real SQLite ledger, mail landing in the pickup directory.</summary>
public sealed class BudgetCheckTests
{
    private static readonly DateTimeOffset November = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static Dictionary<string, string?> Settings(string amount = "100") => new()
    {
        ["Monitor:Budgets:0:Name"] = "team",
        ["Monitor:Budgets:0:Scope:Workspace"] = "search",
        ["Monitor:Budgets:0:Amount"] = amount,
        ["Monitor:Budgets:0:Currency"] = "USD",
        ["Monitor:Budgets:0:Period"] = "Month",
        ["Monitor:Budgets:0:TimeZone"] = "UTC",
        ["Monitor:Budgets:0:Forecast"] = "false",
        ["Monitor:Budgets:0:To:0"] = "search-team@example.com",
    };

    private static async Task<List<string>> KeysAsync(CheckHarness h) =>
        await h.Ledger.QueryAsync<string>("SELECT dedup_key FROM alerts ORDER BY id");

    [Theory, BothDialects]
    public async Task Check_ThresholdsAcrossRestartsAndMonths_EachFiresOncePerPeriod(SqlDialect dialect)
    {
        // USD 1 an hour in workspace "search", 0 elsewhere.
        await using var h = CheckHarness.Start(November.AddHours(60), Settings(), dialect: dialect);
        await h.AddHourlyAsync("acct", "k1", "gpt-4o", "USD", November, 24 * 40, _ => 1m, workspace: "search");
        await h.AddHourlyAsync("acct", "k2", "gpt-4o", "USD", November, 24 * 40, _ => 5m, workspace: "other");

        var first = await h.Checks.RunAsync(null, true, CancellationToken.None); // 60 h: 60 %
        Assert.Empty(first.Failures);
        await h.RestartAsync();
        var afterRestart = await h.Checks.RunAsync(null, true, CancellationToken.None);
        h.Ledger.Clock.Advance(TimeSpan.FromHours(25)); // 85 h
        var eighty = await h.Checks.RunAsync(null, true, CancellationToken.None);
        var december = new DateTimeOffset(2026, 12, 3, 6, 0, 0, TimeSpan.Zero); // 54 h into December
        var newMonth = await h.Checks.RunAsync(december, true, CancellationToken.None);

        Assert.Equal((1, 0, 1, 1), (first.Raised, afterRestart.Raised, eighty.Raised, newMonth.Raised));
        var nov = November.ToUnixTimeSeconds();
        var dec = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        Assert.Equal([$"budget:team:{nov}:pct50", $"budget:team:{nov}:pct80", $"budget:team:{dec}:pct50"], await KeysAsync(h));
        Assert.Equal(december.ToUnixTimeSeconds(), await h.Ledger.ScalarAsync<long>("SELECT MAX(raised_at) FROM alerts"));

        var mails = Directory.GetFiles(h.Pickup, "*.eml").Order(StringComparer.Ordinal).Select(f => MimeMessage.Load(f)).ToList();
        Assert.Equal(
            ["[Budget 50%] team: USD 60.00 of USD 100.00", "[Budget 80%] team: USD 85.00 of USD 100.00", "[Budget 50%] team: USD 54.00 of USD 100.00"],
            mails.Select(m => m.Subject));
        Assert.All(mails, m => Assert.Equal("search-team@example.com", m.To.Mailboxes.Single().Address));
    }

    [Theory, BothDialects]
    public async Task Check_BudgetRaisedMidPeriod_DoesNotResendAndFiresOnlyNewThresholds(SqlDialect dialect)
    {
        await using var h = CheckHarness.Start(November.AddHours(85), Settings("100"), dialect: dialect);
        await h.AddHourlyAsync("acct", "k1", "gpt-4o", "USD", November, 24 * 30, _ => 1m, workspace: "search");
        await h.Checks.RunAsync(null, true, CancellationToken.None); // 85 %: the 80 % alert

        h.Set("Monitor:Budgets:0:Amount", "150");
        await h.RestartAsync();
        var raised = await h.Checks.RunAsync(null, true, CancellationToken.None); // 56.7 % of 150: the 50 % one is new
        h.Ledger.Clock.Advance(TimeSpan.FromHours(40)); // 125 h: 83 % of 150, but 80 % was sent this period
        var later = await h.Checks.RunAsync(null, true, CancellationToken.None);

        Assert.Equal((1, 0), (raised.Raised, later.Raised));
        var nov = November.ToUnixTimeSeconds();
        Assert.Equal([$"budget:team:{nov}:pct80", $"budget:team:{nov}:pct50"], await KeysAsync(h));
    }

    [Theory, BothDialects]
    public async Task Check_DollarsAndEurosInOneScope_AddsOnlyWithAConfiguredRate(SqlDialect dialect)
    {
        var settings = Settings("1000");
        await using var h = CheckHarness.Start(November.AddHours(10), settings, dialect: dialect);
        await h.AddHourlyAsync("acct", "k1", "gpt-4o", "USD", November, 10, _ => 1m, workspace: "search");
        await h.AddHourlyAsync("acct", "k2", "mistral-large-2411", "EUR", November, 10, _ => 2m, workspace: "search");
        var without = (await h.Get<Monitor.Checks.BudgetEvaluator>().StatusesAsync(h.Ledger.Clock.GetUtcNow(), CancellationToken.None)).Single();

        h.Set("Monitor:Pricing:ExchangeRates:0:From", "EUR");
        h.Set("Monitor:Pricing:ExchangeRates:0:To", "USD");
        h.Set("Monitor:Pricing:ExchangeRates:0:Rate", "1.10");
        h.Set("Monitor:Pricing:ExchangeRates:0:EffectiveFrom", "2026-10-01");
        await h.RestartAsync();
        var with = (await h.Get<Monitor.Checks.BudgetEvaluator>().StatusesAsync(h.Ledger.Clock.GetUtcNow(), CancellationToken.None)).Single();

        Assert.Equal(10m, without.Spent);
        Assert.Equal((Core.Pricing.Currency.EUR, 20m), Assert.Single(without.Excluded));
        Assert.Equal(32m, with.Spent); // 10 USD + 20 EUR x 1.10
        Assert.Empty(with.Excluded);
    }

    [Theory, BothDialects]
    public async Task Statuses_ParisMonthWeeksLater_CountsTheLastUtcHourOfOctoberAndNothingBefore(SqlDialect dialect)
    {
        // Paris' November starts at 23:00 UTC on 31 October. That day is long past the hourly week, so the reader
        // takes it hour by hour while the whole days after it come from the daily rollup.
        var settings = Settings("1000");
        settings["Monitor:Budgets:0:TimeZone"] = "Europe/Paris";
        await using var h = CheckHarness.Start(new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero), settings, dialect: dialect);
        await h.AddHourlyAsync("acct", "k1", "gpt-4o", "USD", new DateTimeOffset(2026, 10, 31, 0, 0, 0, TimeSpan.Zero), 24 * 20, _ => 1m, workspace: "search");

        var status = (await h.Get<Monitor.Checks.BudgetEvaluator>().StatusesAsync(h.Ledger.Clock.GetUtcNow(), CancellationToken.None)).Single();

        Assert.Equal(457m, status.Spent); // 23:00 on 31 October + 19 whole days
        Assert.Equal([("gpt-4o", 457m)], status.TopModels);
    }

    [Theory, BothDialects]
    public async Task Check_CriticalAlertInPickupDirectory_ProviderTextCannotInjectHeaders(SqlDialect dialect)
    {
        await using var h = CheckHarness.Start(November.AddHours(10), dialect: dialect);
        var evil = new AlertDecision
        {
            Kind = AlertKind.Anomaly, Severity = AlertSeverity.Critical, Account = "acct", Model = "<script>alert(1)</script>",
            Title = "[Anomaly] model gpt\r\nBcc: thief@example.com\r\nX-Evil: 1",
            Detail = "spend on <script>alert(1)</script>", DedupKey = "test:evil",
            Evidence = new AlertEvidence { Facts = [new AlertFact("Model", "<img src=x onerror=alert(1)>")] },
        };

        await h.Get<Monitor.Alerts.AlertRaiser>().RaiseAsync([evil], h.Ledger.Clock.GetUtcNow(), CancellationToken.None);
        await h.Get<Monitor.Alerts.OutboxDispatcher>().SendDueAsync(CancellationToken.None);
        await h.Get<Monitor.Alerts.OutboxDispatcher>().SendDueAsync(CancellationToken.None);

        var file = Assert.Single(Directory.GetFiles(h.Pickup, "*.eml"));
        var mail = MimeMessage.Load(file);
        Assert.Empty(mail.Bcc);
        Assert.Null(mail.Headers["X-Evil"]);
        Assert.Equal("[Anomaly] model gpt  Bcc: thief@example.com  X-Evil: 1", mail.Subject);
        Assert.DoesNotContain("<script>", mail.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", mail.HtmlBody, StringComparison.Ordinal);
        Assert.Equal(["finops@example.com"], mail.To.Mailboxes.Select(m => m.Address));
    }

    [Theory, BothDialects]
    public async Task Check_InfoAlertsAndCooldown_GoToOneDigestAtTheDigestHour(SqlDialect dialect)
    {
        await using var h = CheckHarness.Start(new DateTimeOffset(2026, 11, 22, 6, 0, 0, TimeSpan.Zero), dialect: dialect);
        var raiser = h.Get<Monitor.Alerts.AlertRaiser>();
        AlertDecision Decision(string key, AlertSeverity severity) => new()
        {
            Kind = AlertKind.Deprecation, Severity = severity, Account = "acct", Model = "old-model", Title = $"[Deprecation] {key}",
            Detail = "details", DedupKey = key,
        };

        await raiser.RaiseAsync([Decision("info-1", AlertSeverity.Info), Decision("warn-1", AlertSeverity.Warning)], h.Ledger.Clock.GetUtcNow(), CancellationToken.None);
        h.Ledger.Clock.Advance(TimeSpan.FromHours(1));
        await raiser.RaiseAsync([Decision("warn-2", AlertSeverity.Warning)], h.Ledger.Clock.GetUtcNow(), CancellationToken.None); // same scope, in cooldown
        var beforeDigest = await h.Checks.RunAsync(null, true, CancellationToken.None); // 07:00, digest at 08:00 UTC
        h.Ledger.Clock.Advance(TimeSpan.FromHours(1.5));
        var atDigest = await h.Checks.RunAsync(null, true, CancellationToken.None);
        var nextDay = await h.Checks.RunAsync(null, true, CancellationToken.None);

        Assert.Equal((1, 1, 0), (beforeDigest.Sent, atDigest.Sent, nextDay.Sent));
        var mails = Directory.GetFiles(h.Pickup, "*.eml").Order(StringComparer.Ordinal).Select(f => MimeMessage.Load(f)).ToList();
        Assert.Equal(["[Deprecation] warn-1", "[Digest] 2026-11-21: 2 alerts"], mails.Select(m => m.Subject));
        Assert.Contains("[Deprecation] info-1", mails[1].TextBody, StringComparison.Ordinal);
        Assert.Contains("[Deprecation] warn-2", mails[1].TextBody, StringComparison.Ordinal);
    }
}
