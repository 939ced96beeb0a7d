using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using MimeKit;
using Monitor.Core.Alerts;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Alerts;

/// <summary>
/// Composes alert and digest mails: a plain-text and an HTML part with the numbers, breakdowns and runbook, the
/// chart inline as PNG, and a link to the dashboard. Pure apart from drawing the chart: no SMTP, no database.
/// Every value (model, key and workspace names come from providers) is HTML-encoded in the HTML part, and header
/// values are stripped of control characters and left to MimeKit to encode, so no value can inject a header.
/// </summary>
public sealed class AlertMailComposer(IOptions<MonitorOptions> options)
{
    public const string ChartContentId = "chart@llm-spend-monitor";
    private const string Sender = "llm-spend-monitor@localhost";

    public Task<ComposedMail> ComposeAsync(AlertDecision d, DateTimeOffset raisedAt) => Task.FromResult(Compose(d, raisedAt));

    public ComposedMail Compose(AlertDecision d, DateTimeOffset raisedAt)
    {
        var recipients = d.To.Count > 0 ? d.To : options.Value.Alerts.Email.To;
        var body = new BodyBuilder();
        var text = new StringBuilder();
        var html = new StringBuilder();
        Open(html, d.Title, d.Severity);
        text.AppendLine(d.Title).AppendLine().AppendLine(d.Detail).AppendLine();
        html.Append("<p style=\"font-size:15px\">").Append(Encode(d.Detail)).Append("</p>");
        AppendFacts(d.Evidence, text, html);
        if (d.Evidence.Chart is { } chart)
        {
            var image = body.LinkedResources.Add("chart.png", AlertChartRenderer.RenderPng(chart), new ContentType("image", "png"));
            image.ContentId = ChartContentId;
            html.Append("<p><img src=\"cid:").Append(ChartContentId).Append("\" alt=\"").Append(Encode(chart.Title))
                .Append("\" width=\"").Append(AlertChartRenderer.Width).Append("\" style=\"max-width:100%\"></p>");
        }

        AppendBreakdownsAndRunbook(d.Evidence, text, html);

        var footer = $"{Core.SnakeCase.Of(d.Kind)} · {Core.SnakeCase.Of(d.Severity)} · raised {Stamp(raisedAt)}"
                     + (d.OccurredAt is { } o && o != raisedAt ? $" · started {Stamp(o)}" : "");
        Close(text, html, footer);
        body.TextBody = text.ToString();
        body.HtmlBody = html.ToString();
        return Build(d.DedupKey, recipients, d.Title, body, Core.SnakeCase.Of(d.Kind), Core.SnakeCase.Of(d.Severity), raisedAt);
    }

    public Task<ComposedMail> ComposeDigestAsync(string dedupKey, string label, IReadOnlyList<AlertRow> alerts, IReadOnlyList<string> recipients, DateTimeOffset at) =>
        Task.FromResult(ComposeDigest(dedupKey, label, alerts, recipients, at));

    /// <summary>One mail gathering low-severity and cooled-down alerts since the last digest.</summary>
    public ComposedMail ComposeDigest(string dedupKey, string label, IReadOnlyList<AlertRow> alerts, IReadOnlyList<string> recipients, DateTimeOffset at)
    {
        var subject = $"[Digest] {label}: {alerts.Count} alert{(alerts.Count == 1 ? "" : "s")}";
        var text = new StringBuilder().AppendLine(subject).AppendLine();
        var html = new StringBuilder();
        Open(html, subject, alerts.Max(a => a.Severity));
        foreach (var group in alerts.OrderByDescending(a => a.Severity).ThenBy(a => a.RaisedAt).GroupBy(a => a.Kind))
        {
            var heading = Core.SnakeCase.Of(group.Key).Replace('_', ' ');
            text.AppendLine(CultureInfo.InvariantCulture, $"{heading}:");
            html.Append("<h3 style=\"margin:18px 0 6px\">").Append(Encode(heading)).Append("</h3><ul>");
            foreach (var a in group)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {a.Title} ({Stamp(a.RaisedAt)})").AppendLine(CultureInfo.InvariantCulture, $"  {a.Detail}");
                html.Append("<li><b>").Append(Encode(a.Title)).Append("</b> <span style=\"color:#6b7280\">")
                    .Append(Encode(Stamp(a.RaisedAt))).Append("</span><br>").Append(Encode(a.Detail)).Append("</li>");
            }

            html.Append("</ul>");
            text.AppendLine();
        }

        Close(text, html, $"digest · {alerts.Count} alerts · {Stamp(at)}");
        var body = new BodyBuilder { TextBody = text.ToString(), HtmlBody = html.ToString() };
        return Build(dedupKey, recipients, subject, body, "digest", Core.SnakeCase.Of(alerts.Max(a => a.Severity)), at);
    }

    private static void AppendFacts(AlertEvidence evidence, StringBuilder text, StringBuilder html)
    {
        if (evidence.Facts.Count > 0)
            AppendRows(evidence.Facts, "", "margin:8px 0", "color:#4b5563", "font-weight:600", text, html);
    }

    private static void AppendBreakdownsAndRunbook(AlertEvidence evidence, StringBuilder text, StringBuilder html)
    {
        foreach (var b in evidence.Breakdowns.Where(b => b.Rows.Count > 0))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{b.Title}:");
            html.Append("<h3 style=\"margin:18px 0 6px;font-size:15px\">").Append(Encode(b.Title)).Append("</h3>");
            AppendRows(b.Rows, "  ", "", "", "text-align:right", text, html);
        }

        if (evidence.Runbook.Count > 0)
        {
            text.AppendLine("What to do:");
            html.Append("<h3 style=\"margin:18px 0 6px;font-size:15px\">What to do</h3><ol>");
            for (var i = 0; i < evidence.Runbook.Count; i++)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {i + 1}. {evidence.Runbook[i]}");
                html.Append("<li>").Append(Encode(evidence.Runbook[i])).Append("</li>");
            }

            html.Append("</ol>");
            text.AppendLine();
        }
    }

    // A label/value table: "label: value" lines in the text part, a two-column table in the HTML part.
    private static void AppendRows(
        IReadOnlyList<AlertFact> rows, string indent, string tableStyle, string labelStyle, string valueStyle, StringBuilder text, StringBuilder html)
    {
        html.Append("<table style=\"border-collapse:collapse;").Append(tableStyle).Append("\">");
        foreach (var r in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{indent}{r.Label}: {r.Value}");
            html.Append("<tr><td style=\"padding:3px 14px 3px 0;").Append(labelStyle).Append("\">").Append(Encode(r.Label))
                .Append("</td><td style=\"padding:3px 0;").Append(valueStyle).Append("\">").Append(Encode(r.Value)).Append("</td></tr>");
        }

        html.Append("</table>");
        text.AppendLine();
    }

    private static void Open(StringBuilder html, string title, AlertSeverity severity)
    {
        var color = severity switch { AlertSeverity.Critical => "#b91c1c", AlertSeverity.Warning => "#b45309", _ => "#1d4ed8" };
        html.Append("<!DOCTYPE html><html><body style=\"font-family:Helvetica,Arial,sans-serif;color:#111827;max-width:760px\">")
            .Append("<h2 style=\"border-left:5px solid ").Append(color).Append(";padding-left:10px;font-size:18px\">")
            .Append(Encode(title)).Append("</h2>");
    }

    private void Close(StringBuilder text, StringBuilder html, string footer)
    {
        var link = DashboardLink();
        text.AppendLine(CultureInfo.InvariantCulture, $"Dashboard: {link}").AppendLine().AppendLine(footer);
        html.Append("<p><a href=\"").Append(Encode(link)).Append("\">Open the dashboard</a></p>")
            .Append("<p style=\"color:#6b7280;font-size:12px\">").Append(Encode(footer)).Append("</p></body></html>");
    }

    private ComposedMail Build(
        string dedupKey, IReadOnlyList<string> recipients, string subject, BodyBuilder body, string kind, string severity, DateTimeOffset date)
    {
        var email = options.Value.Alerts.Email;
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(string.IsNullOrWhiteSpace(email.From) ? Sender : email.From));
        foreach (var to in recipients)
            message.To.Add(MailboxAddress.Parse(to));
        var cleanSubject = HeaderSafe(subject);
        message.Subject = cleanSubject;
        message.Date = date;
        message.MessageId = $"{Hash(dedupKey)}@llm-spend-monitor";
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Headers.Add("X-Monitor-Kind", kind);
        message.Headers.Add("X-Monitor-Severity", severity);
        message.Body = body.ToMessageBody();
        // Stored as sent: 7-bit clean with lines under 998 characters (quoted-printable where needed), so a pickup
        // directory or a server without 8BITMIME gets valid MIME, and a retry sends the very same bytes.
        message.Prepare(EncodingConstraint.SevenBit);
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        return new ComposedMail(message.MessageId, [.. recipients], cleanSubject, stream.ToArray());
    }

    private string DashboardLink()
    {
        var configured = options.Value.Alerts.DashboardUrl;
        if (!string.IsNullOrWhiteSpace(configured))
            return configured;
        return options.Value.Dashboard.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "http://127.0.0.1:5080";
    }

    /// <summary>Control characters (CR, LF, tabs) from provider values become spaces: one header line, always.</summary>
    public static string HeaderSafe(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var c in value)
            sb.Append(char.IsControl(c) ? ' ' : c);
        var clean = sb.ToString().Trim();
        return clean.Length <= 200 ? clean : clean[..199] + "…";
    }

    private static string Encode(string value) => WebUtility.HtmlEncode(value);

    private static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..32];
}
