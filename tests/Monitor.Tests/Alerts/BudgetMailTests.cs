using MimeKit;
using Monitor.Alerts;
using Monitor.Storage;
using Monitor.Tests.Support;

namespace Monitor.Tests.Alerts;

/// <summary>Budget alerts end to end: ledger, check, outbox, a real SMTP server (StartTls + AUTH, private CA).</summary>
public sealed class BudgetMailTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 15, 30, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset November = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    // The budget "acme-monthly" of this amount, mailed through the given SMTP server.
    private static Dictionary<string, string?> Budget(decimal amount, SmtpServer smtp) => Budget(amount, smtp.Settings());

    private static Dictionary<string, string?> Budget(decimal amount, IDictionary<string, string?>? more = null)
    {
        var s = new Dictionary<string, string?>
        {
            ["Monitor:Budgets:0:Name"] = "acme-monthly",
            ["Monitor:Budgets:0:Scope:Account"] = "acme",
            ["Monitor:Budgets:0:Amount"] = amount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Monitor:Budgets:0:Currency"] = "EUR",
            ["Monitor:Budgets:0:Period"] = "Month",
            ["Monitor:Budgets:0:TimeZone"] = "Europe/Paris",
        };
        foreach (var (k, v) in more ?? new Dictionary<string, string?>())
            s[k] = v;
        return s;
    }

    // 0.20 EUR an hour on two models from 1 November 00:00 UTC: 520 hours by 15:30 on the 22nd, EUR 104.00.
    private static async Task SpendAsync(CheckHarness h)
    {
        await h.AddHourlyAsync("acme", "key_a", "mistral-large-2411", "EUR", November, 520, _ => 0.15m);
        await h.AddHourlyAsync("acme", "key_b", "mistral-small-2503", "EUR", November, 520, _ => 0.05m);
        await h.AddHourlyAsync("acme", "key_usd", "gpt-4o", "USD", November, 520, _ => 1m); // never added to EUR
    }

    [Theory, BothDialects]
    public async Task Check_BudgetCrossed_MailArrivesOverStartTlsWithBothPartsAndTheChart(SqlDialect dialect)
    {
        await using var smtp = await SmtpServer.StartAsync();
        var settings = Budget(100, smtp);
        await using var h = CheckHarness.Start(Now, settings, dialect: dialect);
        await SpendAsync(h);

        var result = await h.Checks.RunAsync(null, send: true, CancellationToken.None);

        Assert.Equal((1, 1, 0, null), (result.Raised, result.Sent, result.Pending, result.DeliveryError));
        var mail = Assert.Single(smtp.Messages());
        Assert.Equal(["finops@example.com"], smtp.RecipientsOf(0));
        // The rest of November at the same 0.20 EUR an hour: 199 hours, EUR 39.80 more.
        Assert.Equal("[Budget 100%] acme-monthly: EUR 104.00 of EUR 100.00, forecast EUR 143.80", mail.Subject);
        Assert.Equal("monitor@example.com", mail.From.Mailboxes.Single().Address);
        Assert.Contains("Top models", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("mistral-large-2411: EUR 78.00", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("key_b: EUR 26.00", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Not counted: USD 520.00", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains($"src=\"cid:{AlertMailComposer.ChartContentId}\"", mail.HtmlBody, StringComparison.Ordinal);
        var chart = mail.BodyParts.OfType<MimePart>().Single(p => p.ContentType.MimeType == "image/png");
        Assert.Equal(AlertMailComposer.ChartContentId, chart.ContentId);
        using var png = new MemoryStream();
        await chart.Content!.DecodeToAsync(png);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png.ToArray()[..4]);
        Assert.True(png.Length > 5_000, $"chart is {png.Length} bytes");
    }

    [Theory, BothDialects]
    public async Task Check_NoSmtpHost_PickupFileIsSevenBitWithShortLinesAndDecodesToTheText(SqlDialect dialect)
    {
        // Valid MIME for any pickup reader or relay: no 8-bit bytes, no line over 998 characters (RFC 5322).
        await using var h = CheckHarness.Start(Now, Budget(100), dialect: dialect);
        await SpendAsync(h);

        await h.Checks.RunAsync(null, send: true, CancellationToken.None);

        var file = Assert.Single(Directory.GetFiles(h.Pickup, "*.eml"));
        var bytes = await File.ReadAllBytesAsync(file);
        Assert.All(bytes, b => Assert.True(b < 0x80, $"8-bit byte 0x{b:x2}"));
        Assert.All(System.Text.Encoding.ASCII.GetString(bytes).Split('\n'), line => Assert.True(line.TrimEnd('\r').Length <= 998, $"line of {line.Length}"));
        var mail = await MimeMessage.LoadAsync(new MemoryStream(bytes));
        Assert.Contains("budget_threshold \u00b7 critical", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("acme-monthly: EUR 104.00 of EUR 100.00", mail.HtmlBody, StringComparison.Ordinal);
    }

    [Theory, BothDialects]
    public async Task Check_RunTwiceInARow_SendsNothingNew(SqlDialect dialect)
    {
        await using var smtp = await SmtpServer.StartAsync();
        var settings = Budget(100, smtp);
        await using var h = CheckHarness.Start(Now, settings, dialect: dialect);
        await SpendAsync(h);

        var first = await h.Checks.RunAsync(null, send: true, CancellationToken.None);
        var second = await h.Checks.RunAsync(null, send: true, CancellationToken.None);

        Assert.Equal((1, 1), (first.Raised, first.Sent));
        Assert.Equal((0, 0, 0), (second.Raised, second.Sent, second.Pending));
        Assert.Single(smtp.Messages());
    }

    [Theory, BothDialects]
    public async Task Outbox_SmtpDownDuringCheckThenUpAfterRestart_DeliversEveryAlertOnce(SqlDialect dialect)
    {
        await using var smtp = await SmtpServer.StartAsync();
        var settings = Budget(100, smtp);
        settings["Monitor:Budgets:1:Name"] = "key-b";
        settings["Monitor:Budgets:1:Scope:KeyId"] = "key_b";
        settings["Monitor:Budgets:1:Amount"] = "20";
        settings["Monitor:Budgets:1:Currency"] = "EUR";
        await using var h = CheckHarness.Start(Now, settings, dialect: dialect);
        await SpendAsync(h);
        await smtp.StopAsync();

        var during = await h.Checks.RunAsync(null, send: true, CancellationToken.None);
        await h.RestartAsync();
        h.Ledger.Clock.Advance(TimeSpan.FromSeconds(30));
        var tooEarly = await h.Get<OutboxDispatcher>().SendDueAsync(CancellationToken.None); // backoff not over
        await smtp.StartAgainAsync();
        h.Ledger.Clock.Advance(TimeSpan.FromMinutes(2));
        var after = await h.Get<OutboxDispatcher>().SendDueAsync(CancellationToken.None);
        var again = await h.Get<OutboxDispatcher>().SendDueAsync(CancellationToken.None);
        var recheck = await h.Checks.RunAsync(null, send: true, CancellationToken.None);

        Assert.Equal((2, 0, 2), (during.Raised, during.Sent, during.Pending));
        Assert.Contains("SMTP 127.0.0.1", during.DeliveryError, StringComparison.Ordinal);
        Assert.Equal((0, 2), (tooEarly.Sent, tooEarly.Pending));
        Assert.Equal((2, 0, 0), (after.Sent, after.Failed, after.Pending));
        Assert.Equal((0, 0), (again.Sent, again.Pending));
        Assert.Equal((0, 0), (recheck.Raised, recheck.Sent));
        Assert.Equal(
            ["[Budget 100%] acme-monthly: EUR 104.00 of EUR 100.00", "[Budget 100%] key-b: EUR 26.00 of EUR 20.00"],
            smtp.Messages().Select(m => m.Subject!.Split(", forecast")[0]).Order(StringComparer.Ordinal));
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM alerts WHERE sent_at IS NULL"));
    }

    [Theory, BothDialects]
    public async Task Smtp_WithoutThePrivateCa_RefusesTheCertificateAndKeepsTheMail(SqlDialect dialect)
    {
        await using var smtp = await SmtpServer.StartAsync();
        var settings = Budget(100, smtp);
        settings["Monitor:Alerts:Email:Smtp:CaCertificateFile"] = "";
        await using var h = CheckHarness.Start(Now, settings, dialect: dialect);
        await SpendAsync(h);

        var result = await h.Checks.RunAsync(null, send: true, CancellationToken.None);

        Assert.Equal((1, 0, 1), (result.Raised, result.Sent, result.Pending));
        Assert.Contains("certificate", result.DeliveryError, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(smtp.Messages());
    }

    [Theory, BothDialects]
    public async Task Smtp_WrongPassword_NotDeliveredAndThePasswordIsInNoError(SqlDialect dialect)
    {
        await using var smtp = await SmtpServer.StartAsync();
        var settings = Budget(100, smtp);
        var wrong = "wrong-" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(settings["Monitor:Alerts:Email:Smtp:PasswordEnv"]!, wrong);
        await using var h = CheckHarness.Start(Now, settings, dialect: dialect);
        await SpendAsync(h);

        var result = await h.Checks.RunAsync(null, send: true, CancellationToken.None);

        Assert.Equal((0, 1), (result.Sent, result.Pending));
        Assert.NotNull(result.DeliveryError);
        Assert.DoesNotContain(wrong, result.DeliveryError, StringComparison.Ordinal);
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE last_error LIKE '%' || @wrong || '%'", new { wrong }));
        Assert.Empty(smtp.Messages());
    }
}
