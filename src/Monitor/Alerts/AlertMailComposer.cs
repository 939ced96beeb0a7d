using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using MimeKit;
using Monitor.Alerts.Mail;
using Monitor.Alerts.Channels;
using Monitor.Core.Alerts;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Alerts;

/// <summary>
/// Composes alert and digest mails: a plain-text and an HTML part with the numbers, breakdowns and runbook, the
/// chart inline as PNG, and a link to the dashboard. Pure apart from drawing the chart: no SMTP, no database.
/// The HTML part is rendered from Razor components (<see cref="AlertMail"/>, <see cref="DigestMail"/>), so the
/// framework encodes every value (model, key and workspace names come from providers); header values are stripped of
/// control characters and left to MimeKit to encode, so no value can inject a header.
/// </summary>
public sealed class AlertMailComposer(IOptions<MonitorOptions> options, ComponentHtmlRenderer html, AlertLinks links)
{
    public const string ChartContentId = "chart@llm-spend-monitor";
    private const string Sender = "llm-spend-monitor@localhost";

    /// <param name="alertId">The stored alert, for the link to its page (runbook, acknowledge, mute); 0: none yet.</param>
    public async Task<ComposedMail> ComposeAsync(AlertDecision d, DateTimeOffset raisedAt, long alertId = 0)
    {
        var recipients = d.To.Count > 0 ? d.To : options.Value.Alerts.Email.To;
        var body = new BodyBuilder();
        var text = new StringBuilder();
        text.AppendLine(d.Title).AppendLine().AppendLine(d.Detail).AppendLine();
        if (d.Evidence.Facts.Count > 0)
            AppendRows(d.Evidence.Facts, "", text);
        string? chartSrc = null;
        if (d.Evidence.Chart is { } chart)
        {
            var image = body.LinkedResources.Add("chart.png", AlertChartRenderer.RenderPng(chart), new ContentType("image", "png"));
            image.ContentId = ChartContentId;
            chartSrc = "cid:" + ChartContentId;
        }

        AppendBreakdownsAndRunbook(d.Evidence, text);

        var footer = $"{Core.SnakeCase.Of(d.Kind)} · {Core.SnakeCase.Of(d.Severity)} · raised {Stamp(raisedAt)}"
                     + (d.OccurredAt is { } o && o != raisedAt ? $" · started {Stamp(o)}" : "");
        var link = links.Dashboard;
        var page = links.Alert(alertId);
        if (page is not null)
            text.AppendLine(CultureInfo.InvariantCulture, $"This alert (runbook, acknowledge, mute): {page}");
        Close(text, link, footer);
        body.TextBody = text.ToString();
        body.HtmlBody = await html.RenderAsync<AlertMail>(new Dictionary<string, object?>
        {
            [nameof(AlertMail.Alert)] = d,
            [nameof(AlertMail.ChartSrc)] = chartSrc,
            [nameof(AlertMail.AlertLink)] = page,
            [nameof(AlertMail.DashboardLink)] = link,
            [nameof(AlertMail.Footer)] = footer,
        });
        return Build(d.DedupKey, recipients, d.Title, body, Core.SnakeCase.Of(d.Kind), Core.SnakeCase.Of(d.Severity), raisedAt);
    }

    /// <summary>One mail gathering low-severity and cooled-down alerts since the last digest.</summary>
    public async Task<ComposedMail> ComposeDigestAsync(
        string dedupKey, string label, IReadOnlyList<AlertRow> alerts, IReadOnlyList<string> recipients, DateTimeOffset at)
    {
        var subject = $"[Digest] {label}: {alerts.Count} alert{(alerts.Count == 1 ? "" : "s")}";
        var text = new StringBuilder().AppendLine(subject).AppendLine();
        var groups = alerts.OrderByDescending(a => a.Severity).ThenBy(a => a.RaisedAt).GroupBy(a => a.Kind)
            .Select(g => (Heading: Core.SnakeCase.Of(g.Key).Replace('_', ' '), Alerts: (IReadOnlyList<AlertRow>)[.. g]))
            .ToList();
        foreach (var (heading, group) in groups)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{heading}:");
            foreach (var a in group)
                text.AppendLine(CultureInfo.InvariantCulture, $"- {a.Title} ({Stamp(a.RaisedAt)})").AppendLine(CultureInfo.InvariantCulture, $"  {a.Detail}");
            text.AppendLine();
        }

        var footer = $"digest · {alerts.Count} alerts · {Stamp(at)}";
        var link = links.Dashboard;
        Close(text, link, footer);
        var severity = alerts.Max(a => a.Severity);
        var body = new BodyBuilder
        {
            TextBody = text.ToString(),
            HtmlBody = await html.RenderAsync<DigestMail>(new Dictionary<string, object?>
            {
                [nameof(DigestMail.Subject)] = subject,
                [nameof(DigestMail.Severity)] = severity,
                [nameof(DigestMail.Groups)] = groups,
                [nameof(DigestMail.DashboardLink)] = link,
                [nameof(DigestMail.Footer)] = footer,
            }),
        };
        return Build(dedupKey, recipients, subject, body, "digest", Core.SnakeCase.Of(severity), at);
    }

    private static void AppendBreakdownsAndRunbook(AlertEvidence evidence, StringBuilder text)
    {
        foreach (var b in evidence.Breakdowns.Where(b => b.Rows.Count > 0))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{b.Title}:");
            AppendRows(b.Rows, "  ", text);
        }

        if (evidence.Runbook.Count > 0)
        {
            text.AppendLine("What to do:");
            for (var i = 0; i < evidence.Runbook.Count; i++)
                text.AppendLine(CultureInfo.InvariantCulture, $"  {i + 1}. {evidence.Runbook[i]}");
            text.AppendLine();
        }
    }

    // "label: value" lines (the HTML part's FactsTable).
    private static void AppendRows(IReadOnlyList<AlertFact> rows, string indent, StringBuilder text)
    {
        foreach (var r in rows)
            text.AppendLine(CultureInfo.InvariantCulture, $"{indent}{r.Label}: {r.Value}");
        text.AppendLine();
    }

    private static void Close(StringBuilder text, string link, string footer) =>
        text.AppendLine(CultureInfo.InvariantCulture, $"Dashboard: {link}").AppendLine().AppendLine(footer);

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
        message.MessageId = $"{StableId.Of(dedupKey, 32)}@llm-spend-monitor";
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

    /// <summary>Control characters (CR, LF, tabs) from provider values become spaces: one header line, always.</summary>
    public static string HeaderSafe(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var c in value)
            sb.Append(char.IsControl(c) ? ' ' : c);
        var clean = sb.ToString().Trim();
        return clean.Length <= 200 ? clean : clean[..199] + "…";
    }

    /// <summary>A time as the mails show it: <c>2026-11-22 15:30 UTC</c>.</summary>
    internal static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

}
