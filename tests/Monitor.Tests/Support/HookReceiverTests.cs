using System.Net;
using System.Net.Mime;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace Monitor.Tests.Support;

/// <summary>The webhook test server itself, driven by a plain HttpClient: recording, answers, down and up, signatures.</summary>
public sealed class HookReceiverTests : IClassFixture<HookReceiver>
{
    private static readonly string Secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly HookReceiver _hook;

    public HookReceiverTests(HookReceiver hook) => _hook = hook;

    private static DateTimeOffset Now => TimeProvider.System.GetUtcNow();

    private async Task<HookRequest> SendSignedAsync(string path, string secret)
    {
        using var client = new HttpClient();
        using var content = new StandardWebhook(secret).MakeHttpContent(new { type = "budget.crossed", budget = "team-a", percent = 80 }, "msg_" + path, Now);
        using var response = await client.PostAsync(_hook.Url(path), content);
        response.EnsureSuccessStatusCode();
        return Assert.Single(_hook.RequestsTo(path));
    }

    [Fact]
    public async Task StandardWebhookFailure_SignedByTheLibrary_IsNullAndTheLibraryAgrees()
    {
        var request = await SendSignedAsync("/signed", Secret);

        Assert.Null(request.StandardWebhookFailure(Secret, Now));
        Assert.Equal("POST", request.Method);
        Assert.Equal("msg_/signed", request.Header("webhook-id"));
        new StandardWebhook(Secret).Verify(request.BodyText, Headers(request)); // throws when it disagrees
    }

    [Fact]
    public async Task StandardWebhookFailure_OneBodyByteTampered_NamesTheSignature()
    {
        var request = await SendSignedAsync("/tampered", Secret);
        var body = (byte[])request.Body.Clone();
        body[body.Length / 2] ^= 0x01;
        var tampered = request with { Body = body };

        Assert.StartsWith("no v1 signature in webhook-signature matches the body", tampered.StandardWebhookFailure(Secret, Now), StringComparison.Ordinal);
        Assert.Throws<WebhookVerificationException>(() => new StandardWebhook(Secret).Verify(tampered.BodyText, Headers(tampered)));
    }

    [Fact]
    public async Task StandardWebhookFailure_WrongSecretMissingHeaderOrOldTimestamp_SaysWhich()
    {
        var request = await SendSignedAsync("/failures", Secret);
        var noSignature = request with
        {
            Headers = request.Headers.Where(h => h.Key != "webhook-signature").ToDictionary(StringComparer.OrdinalIgnoreCase),
        };

        var otherSecret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        Assert.StartsWith("no v1 signature", request.StandardWebhookFailure(otherSecret, Now), StringComparison.Ordinal);
        Assert.Equal("missing header webhook-signature", noSignature.StandardWebhookFailure(Secret, Now));
        Assert.Contains("more than 5 minutes from now", request.StandardWebhookFailure(Secret, Now.AddMinutes(6)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CloudEvent_StructuredModeJson_DecodesAttributesAndData()
    {
        var sent = new CloudEvent
        {
            Id = "alert-42",
            Source = new Uri("urn:llm-spend-monitor:test"),
            Type = "com.example.monitor.budget.crossed",
            Time = new DateTimeOffset(2026, 11, 22, 15, 30, 0, TimeSpan.Zero),
            DataContentType = "application/json",
            Data = new Dictionary<string, object> { ["budget"] = "team-a", ["percent"] = 80 },
        };
        var encoded = new JsonEventFormatter().EncodeStructuredModeMessage(sent, out var contentType);
        using var client = new HttpClient();
        using var content = new ByteArrayContent(encoded.ToArray());
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType.ToString());
        (await client.PostAsync(_hook.Url("/cloudevents"), content)).EnsureSuccessStatusCode();

        var received = Assert.Single(_hook.RequestsTo("/cloudevents")).CloudEvent();

        Assert.Equal(("alert-42", "com.example.monitor.budget.crossed", CloudEventsSpecVersion.V1_0), (received.Id, received.Type, received.SpecVersion));
        Assert.Equal(sent.Time, received.Time);
        var data = Assert.IsType<JsonElement>(received.Data);
        Assert.Equal(80, data.GetProperty("percent").GetInt32());
    }

    [Fact]
    public async Task CloudEvent_PlainJsonContentType_ThrowsNamingIt()
    {
        using var client = new HttpClient();
        using var content = new StringContent("""{"specversion":"1.0","id":"1","source":"urn:x","type":"t"}""", Encoding.UTF8, MediaTypeNames.Application.Json);
        (await client.PostAsync(_hook.Url("/plain-json"), content)).EnsureSuccessStatusCode();

        var error = Assert.Throws<InvalidOperationException>(() => Assert.Single(_hook.RequestsTo("/plain-json")).CloudEvent());
        Assert.Contains("not application/cloudevents+json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answer_TooManyRequestsThenOk_ClientSeesRetryAfterThenSuccess()
    {
        _hook.Answer("/limited", HookAnswer.TooManyRequests(TimeSpan.FromSeconds(2)), HookAnswer.NoContent);
        using var client = new HttpClient();

        using var first = await client.PostAsync(_hook.Url("/limited"), new StringContent("{}"));
        using var second = await client.PostAsync(_hook.Url("/limited"), new StringContent("{}"));
        using var third = await client.PostAsync(_hook.Url("/limited"), new StringContent("{}"));

        Assert.Equal(HttpStatusCode.TooManyRequests, first.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), first.Headers.RetryAfter?.Delta);
        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NoContent), (second.StatusCode, third.StatusCode));
        Assert.Equal([429, 204, 204], _hook.RequestsTo("/limited").Select(r => r.AnsweredStatus));
    }

    [Fact]
    public async Task Answer_UnavailableOrDelayed_ClientSees503OrItsTimeout()
    {
        _hook.Answer("/unavailable", HookAnswer.Unavailable);
        _hook.Answer("/slow", HookAnswer.Delayed(TimeSpan.FromSeconds(10)));
        using var client = new HttpClient();
        using var impatient = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };

        using var unavailable = await client.PostAsync(_hook.Url("/unavailable"), new StringContent("{}"));
        var slow = await Assert.ThrowsAsync<TaskCanceledException>(() => impatient.PostAsync(_hook.Url("/slow"), new StringContent("{}")));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
        Assert.IsType<TimeoutException>(slow.InnerException);
        Assert.Single(_hook.RequestsTo("/slow")); // it arrived; the answer never came in time
    }

    [Fact]
    public async Task StopAsync_ThenStartAgain_RefusesConnectionsThenAnswersOnTheSamePort()
    {
        await using var hook = await HookReceiver.StartAsync();
        var port = hook.Port;
        using var client = new HttpClient();
        using var before = await client.PostAsync(hook.Url("/outage"), new StringContent("1"));

        await hook.StopAsync();
        var down = await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync(hook.Url("/outage"), new StringContent("2")));
        await hook.StartAgainAsync();
        using var after = await client.PostAsync(hook.Url("/outage"), new StringContent("3"));

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(down.InnerException).SocketErrorCode);
        Assert.Equal((HttpStatusCode.OK, port), (after.StatusCode, hook.Port));
        Assert.Equal(["1", "3"], hook.Requests.Select(r => r.BodyText));
    }

    [Fact]
    public async Task WaitForAsync_RequestArrivesLater_ReturnsOnceThePredicateHolds()
    {
        await using var hook = await HookReceiver.StartAsync();
        using var client = new HttpClient();

        var waiting = hook.WaitForAsync(rs => rs.Count(r => r.Path == "/later") == 2, TimeSpan.FromSeconds(10));
        (await client.PostAsync(hook.Url("/later"), new StringContent("a"))).Dispose();
        (await client.PostAsync(hook.Url("/later"), new StringContent("b"))).Dispose();
        var requests = await waiting;
        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => hook.WaitForAsync(rs => rs.Count > 2, TimeSpan.FromMilliseconds(200)));

        Assert.Equal(2, requests.Count);
        Assert.True(requests[0].ArrivedAt <= requests[1].ArrivedAt);
        Assert.Contains("POST /later -> 200", timeout.Message, StringComparison.Ordinal);
    }

    private static HeaderDictionary Headers(HookRequest request) =>
        new(request.Headers.ToDictionary(h => h.Key, h => new Microsoft.Extensions.Primitives.StringValues(h.Value), StringComparer.OrdinalIgnoreCase));
}
