using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Monitor.Hosting;
using Monitor.Storage;
using StandardWebhooks;

namespace Monitor.Alerts.Channels;

/// <summary>
/// POSTs one outbox message to a webhook, Slack, Teams or Alertmanager channel. A webhook's message is signed at each
/// attempt per Standard Webhooks (webhook-id stays the same across retries, webhook-timestamp is the attempt's time).
/// The URL is read from the environment for each send and never appears in an error or a log: HttpClient's own
/// request logging is off for this client (see <see cref="ClientName"/>).
/// </summary>
public sealed class HttpChannelSender(IHttpClientFactory clients, TimeProvider clock)
{
    public const string ClientName = "alert-channels";

    /// <summary>Read an environment variable; tests give their own.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    public async Task<ChannelOutcome> SendAsync(AlertChannel channel, OutboxItem item, CancellationToken ct)
    {
        string url;
        using var request = new HttpRequestMessage(HttpMethod.Post, (Uri?)null) { Content = new ByteArrayContent(item.Payload) };
        try
        {
            // Checked at start; a variable changed since (or a secret that is no longer base64) waits for a fix, kept.
            url = channel.Url(Environment);
            if (channel.Kind == AlertChannelKind.Alertmanager)
                url = url.TrimEnd('/') + "/" + AlertmanagerMessage.Path;
            request.RequestUri = new Uri(url, UriKind.Absolute);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(item.ContentType);
            if (channel.Kind == AlertChannelKind.Webhook)
                Sign(request, channel, item);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException)
        {
            // Our own message names the variable; a parser's could quote the URL, so only its kind is said.
            var why = e is InvalidOperationException ? e.Message : $"its URL or secret variable does not parse ({e.GetType().Name})";
            return new ChannelOutcome(ChannelResult.Retry, $"{channel.Kind} channel '{channel.Name}' cannot send: {why}");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(channel.Options.Timeout);
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (response.IsSuccessStatusCode)
                return ChannelOutcome.Sent;
            var error = $"{channel.Kind} channel '{channel.Name}' answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}{await ExcerptAsync(response, timeout.Token)}";
            return response.StatusCode switch
            {
                HttpStatusCode.TooManyRequests => new ChannelOutcome(ChannelResult.Retry, error, RetryAfter(response)),
                HttpStatusCode.RequestTimeout => new ChannelOutcome(ChannelResult.Retry, error),
                >= HttpStatusCode.InternalServerError => new ChannelOutcome(ChannelResult.Retry, error, RetryAfter(response)),
                _ => new ChannelOutcome(ChannelResult.Refused, error),
            };
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new ChannelOutcome(ChannelResult.Retry, $"{channel.Kind} channel '{channel.Name}' did not answer within {channel.Options.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
        }
        catch (HttpRequestException e)
        {
            // The message names the host and the socket error, never the path (where Slack and Teams keep their secret).
            return new ChannelOutcome(ChannelResult.Retry, $"{channel.Kind} channel '{channel.Name}' unreachable: {e.HttpRequestError} ({Host(url)})");
        }
    }

    private void Sign(HttpRequestMessage request, AlertChannel channel, OutboxItem item)
    {
        var now = clock.GetUtcNow();
        var signature = new StandardWebhook(channel.Secret(Environment)).Sign(item.MessageId, now, Encoding.UTF8.GetString(item.Payload));
        request.Headers.Add("webhook-id", item.MessageId);
        request.Headers.Add("webhook-timestamp", now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", signature);
    }

    /// <summary>Retry-After as seconds or an HTTP date; capped at a day so a wrong header cannot park a message for ever.</summary>
    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } date ? date - clock.GetUtcNow() : null);
        return wait is { } w ? TimeSpan.FromTicks(Math.Clamp(w.Ticks, 0, TimeSpan.FromDays(1).Ticks)) : null;
    }

    // The start of the channel's answer: what Slack or Alertmanager says is wrong ("invalid_payload", a validation error).
    private static async Task<string> ExcerptAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = (await response.Content.ReadAsStringAsync(ct)).ReplaceLineEndings(" ").Trim();
        return text.Length == 0 ? "" : ": " + (text.Length <= 200 ? text : text[..200] + "…");
    }

    private static string Host(string url) => Uri.TryCreate(url, UriKind.Absolute, out var u) ? u.Authority : "invalid URL";
}
