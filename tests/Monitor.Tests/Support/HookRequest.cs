using System.Globalization;
using System.Net.Mime;
using System.Text;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using StandardWebhooks;

namespace Monitor.Tests.Support;

/// <summary>
/// One request <see cref="HookReceiver"/> received, as it came: headers (names case-insensitive, repeated values joined
/// with a comma), the body's bytes, when it arrived and the status it was answered with.
/// </summary>
public sealed record HookRequest(
    string Method,
    string Path,
    string Query,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body,
    DateTimeOffset ArrivedAt,
    int AnsweredStatus)
{
    /// <summary>The Standard Webhooks tolerance for <c>webhook-timestamp</c> (the library's and the spec's: 5 minutes).</summary>
    public static readonly TimeSpan TimestampTolerance = TimeSpan.FromMinutes(5);

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>
    /// Checks the Standard Webhooks headers (<c>webhook-id</c>, <c>webhook-timestamp</c>, <c>webhook-signature</c>) against
    /// the body. Returns null when the request is signed with <paramref name="secret"/> (<c>whsec_</c> + base64, as the
    /// library takes it), otherwise why not. The HMAC is the StandardWebhooks library's (<see cref="StandardWebhook.Sign"/>);
    /// the timestamp is checked against <paramref name="now"/> (the library's own <c>Verify</c> reads the wall clock,
    /// which a sender on a FakeTimeProvider would fail).
    /// </summary>
    public string? StandardWebhookFailure(string secret, DateTimeOffset now)
    {
        var id = Header("webhook-id");
        var timestamp = Header("webhook-timestamp");
        var signatures = Header("webhook-signature");
        var missing = new[] { ("webhook-id", id), ("webhook-timestamp", timestamp), ("webhook-signature", signatures) }
            .Where(h => string.IsNullOrEmpty(h.Item2)).Select(h => h.Item1).ToList();
        if (missing.Count > 0)
            return "missing header " + string.Join(", ", missing);
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            return $"webhook-timestamp '{timestamp}' is not whole seconds since 1970";
        var sentAt = DateTimeOffset.FromUnixTimeSeconds(seconds);
        if ((sentAt - now).Duration() > TimestampTolerance)
            return $"webhook-timestamp {sentAt:O} is more than {TimestampTolerance.TotalMinutes} minutes from now ({now:O})";

        string payload;
        try
        {
            payload = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Body);
        }
        catch (DecoderFallbackException)
        {
            return "the body is not valid UTF-8";
        }

        StandardWebhook webhook;
        try
        {
            webhook = new StandardWebhook(secret);
        }
        catch (FormatException)
        {
            return "the secret is not base64 (after an optional whsec_ prefix)";
        }

        var expected = webhook.Sign(id, sentAt, payload);
        var given = signatures!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (!given.Any(s => s.StartsWith("v1,", StringComparison.Ordinal)))
            return $"webhook-signature '{signatures}' has no v1 signature";
        return given.Contains(expected, StringComparer.Ordinal)
            ? null
            : $"no v1 signature in webhook-signature matches the body (expected {expected}, got '{signatures}')";
    }

    /// <summary>
    /// The body as a CloudEvents 1.0 structured-mode JSON event (<c>application/cloudevents+json</c>), decoded by the
    /// CloudNative.CloudEvents System.Text.Json formatter and validated (id, source, type, specversion present); its
    /// <see cref="CloudEvent.Data"/> is a <c>JsonElement</c>. Throws naming what is wrong.
    /// </summary>
    public CloudEvent CloudEvent()
    {
        var contentType = Header("Content-Type") ?? throw new InvalidOperationException("the request has no Content-Type");
        var type = new ContentType(contentType);
        if (!string.Equals(type.MediaType, "application/cloudevents+json", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"Content-Type is '{contentType}', not application/cloudevents+json (structured mode)");
        return new JsonEventFormatter().DecodeStructuredModeMessage(Body, type, extensionAttributes: null).Validate();
    }
}
