using System.Globalization;
using System.Net.Mime;
using System.Text.Json;
using System.Text.Json.Serialization;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using Monitor.Core;
using Monitor.Core.Alerts;

namespace Monitor.Alerts.Channels;

/// <summary>
/// A Webhook channel's message: a CloudEvents 1.0 event in structured JSON mode. <c>id</c> is the alert's dedup key
/// (a receiver drops repeats by it), <c>type</c> names the kind and the data version, <c>data</c> is the alert with
/// its evidence, its amounts with their currency and its links. The schema is in the README.
/// </summary>
public static class CloudEventMessage
{
    public const string TypePrefix = "llm-spend-monitor.alert.";
    public const string DataVersion = "v1";
    public const string ContentType = "application/cloudevents+json; charset=utf-8";

    private static readonly JsonSerializerOptions DataJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly JsonEventFormatter Formatter = new(DataJson, new JsonDocumentOptions());

    public static string TypeOf(AlertKind kind) => $"{TypePrefix}{SnakeCase.Of(kind)}.{DataVersion}";

    public static byte[] Build(ChannelAlert message)
    {
        var a = message.Alert;
        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = a.DedupKey,
            Source = new Uri(message.Dashboard, UriKind.RelativeOrAbsolute),
            Type = TypeOf(a.Kind),
            Subject = Subject(message),
            Time = a.RaisedAt,
            DataContentType = MediaTypeNames.Application.Json,
            Data = Data(message),
        };
        return Formatter.EncodeStructuredModeMessage(cloudEvent, out _).ToArray();
    }

    /// <summary>The alert's scope as a path ("account/demo-openai/model/gpt-4o"); "alert/ID" when it names none.</summary>
    public static string Subject(ChannelAlert message)
    {
        var parts = message.Parts().Select(p => $"{p.Name}/{Uri.EscapeDataString(p.Value)}").ToList();
        return parts.Count > 0 ? string.Join('/', parts) : string.Create(CultureInfo.InvariantCulture, $"alert/{message.Alert.Id}");
    }

    public static AlertEventData Data(ChannelAlert message)
    {
        var a = message.Alert;
        return new AlertEventData(
            a.Id > 0 ? a.Id : null, SnakeCase.Of(a.Kind), SnakeCase.Of(a.Severity), SnakeCase.Of(a.Status), a.Title, a.Detail,
            a.Account, a.Workspace, a.KeyId, a.Model, a.RaisedAt, a.OccurredAt,
            [.. a.Evidence.Amounts.Select(m => new AlertEventAmount(m.Name, m.Amount, m.Currency))],
            [.. a.Evidence.Facts.Select(f => new AlertEventFact(f.Label, f.Value))],
            [.. a.Evidence.Breakdowns.Select(b => new AlertEventBreakdown(b.Title, [.. b.Rows.Select(r => new AlertEventFact(r.Label, r.Value))]))],
            a.Evidence.Runbook,
            new AlertEventLinks(message.Dashboard, message.Page, message.Chart));
    }
}

/// <summary>The <c>data</c> of a webhook event (snake_case on the wire; absent values left out).</summary>
public sealed record AlertEventData(
    long? AlertId, string Kind, string Severity, string Status, string Title, string Detail,
    string? Account, string? Workspace, string? KeyId, string? Model, DateTimeOffset RaisedAt, DateTimeOffset? OccurredAt,
    IReadOnlyList<AlertEventAmount> Amounts, IReadOnlyList<AlertEventFact> Facts, IReadOnlyList<AlertEventBreakdown> Breakdowns,
    IReadOnlyList<string> Runbook, AlertEventLinks Links);

/// <summary>Money as a decimal number (never a float in the producer) with its ISO 4217 currency.</summary>
public sealed record AlertEventAmount(string Name, decimal Amount, string Currency);

public sealed record AlertEventFact(string Label, string Value);

public sealed record AlertEventBreakdown(string Title, IReadOnlyList<AlertEventFact> Rows);

public sealed record AlertEventLinks(string Dashboard, string? Alert, string? Chart);
