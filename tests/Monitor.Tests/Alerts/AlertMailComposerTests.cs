using Microsoft.Extensions.Options;
using MimeKit;
using Monitor.Alerts;
using Monitor.Core.Alerts;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Tests.Alerts;

/// <summary>The composer alone: the HTML part rendered by the Razor components, no SMTP, no database.</summary>
public sealed class AlertMailComposerTests
{
    private const string Script = "<script>alert(1)</script>";
    private static readonly DateTimeOffset Raised = new(2026, 11, 22, 15, 30, 0, TimeSpan.Zero);

    private static AlertMailComposer Composer()
    {
        var options = Options.Create(new MonitorOptions
        {
            Alerts = new AlertsOptions { DashboardUrl = "https://monitor.example.com/?a=1&b=2", Email = new EmailOptions { To = ["ops@example.com"] } },
        });
        return new AlertMailComposer(options, ComponentHtmlRenderer.Standalone(), new Monitor.Alerts.Channels.AlertLinks(options));
    }

    private static readonly AlertDecision Evil = new()
    {
        Kind = AlertKind.Anomaly, Severity = AlertSeverity.Critical, Account = "acct", Model = Script,
        Title = "[Anomaly] " + Script, Detail = "spend on " + Script, DedupKey = "test:evil",
        Evidence = new AlertEvidence
        {
            Facts = [new AlertFact("Model", "<img src=x onerror=alert(1)>")],
            Breakdowns = [new AlertBreakdown("Top <b>keys</b>", [new AlertFact("key \"a\"", "USD 1.00")])],
            Runbook = ["Open <a href=x>the console</a>", "Revoke the key"],
            Chart = new AlertChart
            {
                Title = "Spend of " + Script, Unit = "USD",
                Series = [new AlertChartSeries("spend", [new AlertChartPoint(Raised.AddHours(-1), 1), new AlertChartPoint(Raised, 3)])],
            },
        },
    };

    [Fact]
    public async Task ComposeAsync_ValuesWithMarkup_HtmlPartShowsThemAsText()
    {
        var mail = await ComposeAsync(Evil);

        Assert.DoesNotContain("<script", mail.HtmlBody, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img src=x", mail.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>keys", mail.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("<a href=x", mail.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("[Anomaly] &lt;script&gt;alert(1)&lt;/script&gt;</h2>", mail.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", mail.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("<li>Open &lt;a href=x&gt;the console&lt;/a&gt;</li><li>Revoke the key</li>", mail.HtmlBody, StringComparison.Ordinal);
        Assert.Contains($"<img src=\"cid:{AlertMailComposer.ChartContentId}\" alt=\"Spend of &lt;script&gt;", mail.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("href=\"https://monitor.example.com/?a=1&amp;b=2\"", mail.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("Model: <img src=x onerror=alert(1)>", mail.TextBody, StringComparison.Ordinal); // the text part is text
        Assert.Contains("  1. Open <a href=x>the console</a>", mail.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ComposeAsync_AlertWithoutChart_HasNoImageNorLinkedPart()
    {
        var mail = await ComposeAsync(Evil with { Evidence = Evil.Evidence with { Chart = null } });

        Assert.DoesNotContain("<img", mail.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain(mail.BodyParts.OfType<MimePart>(), p => p.ContentType.MimeType == "image/png");
        Assert.StartsWith("<!DOCTYPE html>", mail.HtmlBody!.TrimStart(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ComposeDigestAsync_TwoKinds_GroupedInBothPartsWithTheHighestSeverity()
    {
        AlertRow Row(long id, AlertKind kind, AlertSeverity severity, string title) => new()
        {
            Id = id, Kind = kind, Severity = severity, Status = AlertStatus.Open, Title = title, Detail = "detail of " + title,
            RaisedAt = Raised.AddHours(-id), Delivery = "digest", DedupKey = "k" + id,
        };

        var composed = await Composer().ComposeDigestAsync("digest:1", "2026-11-21",
            [Row(1, AlertKind.Deprecation, AlertSeverity.Info, "old <model>"), Row(2, AlertKind.KeyRotation, AlertSeverity.Warning, "key due")],
            ["ops@example.com"], Raised);
        var mail = MimeMessage.Load(new MemoryStream(composed.Mime));

        Assert.Equal("[Digest] 2026-11-21: 2 alerts", mail.Subject);
        Assert.Equal("warning", mail.Headers["X-Monitor-Severity"]);
        Assert.Contains("<h3 style=\"margin:18px 0 6px\">key rotation</h3>", mail.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("<li><b>key due</b> <span style=\"color:#6b7280\">2026-11-22 13:30 UTC</span><br>detail of key due</li></ul>", mail.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("<b>old &lt;model&gt;</b>", mail.HtmlBody, StringComparison.Ordinal);
        Assert.True(mail.HtmlBody!.IndexOf("key rotation", StringComparison.Ordinal) < mail.HtmlBody.IndexOf("deprecation", StringComparison.Ordinal)); // the warning first
        Assert.Contains("key rotation:\n- key due (2026-11-22 13:30 UTC)\n  detail of key due", mail.TextBody!.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    private static async Task<MimeMessage> ComposeAsync(AlertDecision d)
    {
        var composed = await Composer().ComposeAsync(d, Raised);
        return MimeMessage.Load(new MemoryStream(composed.Mime));
    }
}
