using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Monitor.Demo;

/// <summary>
/// A local stand-in for the Mistral and OpenAI admin APIs that serves a <see cref="DemoScenario"/> in their
/// documented wire formats: Kestrel on 127.0.0.1 with a random port, every route behind
/// <c>Authorization: Bearer {apiKey}</c>. <c>monitor demo</c> points the real connectors at it; contract tests reuse it.
/// </summary>
public sealed class FakeProviderServer : IAsyncDisposable
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // Plain "€" and quotes as the providers send them; these bodies never reach HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    private readonly WebApplication _app;
    private readonly Dictionary<string, Uri> _baseUrls = new(StringComparer.Ordinal);
    private int _requestCount;

    private FakeProviderServer(WebApplication app) => _app = app;

    /// <summary>Every fake provider the server mounts. A new provider adds one line here.</summary>
    private static IReadOnlyList<FakeProviderMount> Mounts { get; } =
    [
        new("mistral", FakeMistralEndpoints.IsAuthorized, FakeMistralEndpoints.Unauthorized, FakeMistralEndpoints.Map),
        new("openai", FakeOpenAIEndpoints.IsAuthorized, FakeOpenAIEndpoints.Unauthorized, FakeOpenAIEndpoints.Map),
        new("anthropic", FakeAnthropicEndpoints.IsAuthorized, FakeAnthropicEndpoints.Unauthorized, FakeAnthropicEndpoints.Map),
        new("openrouter", FakeProviderMount.Bearer, FakeOpenRouterEndpoints.Unauthorized, FakeOpenRouterEndpoints.Map),
        new("kilo", FakeProviderMount.Bearer, FakeKiloEndpoints.Unauthorized, FakeKiloEndpoints.Map),
        new("litellm", FakeProviderMount.Bearer, FakeLiteLLMEndpoints.Unauthorized, FakeLiteLLMEndpoints.Map),
        new("codestral", FakeProviderMount.Bearer, FakeCodestralEndpoints.Unauthorized, FakeCodestralEndpoints.Map),
        new("compatible", FakeProviderMount.Bearer, FakeCompatibleEndpoints.Unauthorized, FakeCompatibleEndpoints.Map),
    ];

    /// <summary><c>http://127.0.0.1:{port}/mistral</c>; Mistral paths (<c>/v1/...</c>) go below it.</summary>
    public Uri MistralBaseUrl => BaseUrlOf("mistral");

    /// <summary><c>http://127.0.0.1:{port}/openai</c>; OpenAI paths (<c>/v1/...</c>) go below it.</summary>
    public Uri OpenAIBaseUrl => BaseUrlOf("openai");

    /// <summary>Requests served so far, rejected ones included.</summary>
    public int RequestCount => Volatile.Read(ref _requestCount);

    /// <summary>Faults to answer the next matching requests with, and the request log.</summary>
    public FakeFaults Faults { get; } = new();

    /// <summary>The inference endpoints' keys, clock and what they billed (metering proxy tests and the demo's proxy traffic).</summary>
    public FakeInference Inference { get; } = new();

    /// <summary>Recorded provider payloads served instead of the scenario (contract tests).</summary>
    public FakeFixtures Fixtures { get; } = new();

    /// <summary>The base URL of one mounted provider (<c>mistral</c>, <c>openai</c>, ...).</summary>
    public Uri BaseUrlOf(string prefix) => _baseUrls.TryGetValue(prefix, out var url)
        ? url
        : throw new KeyNotFoundException($"The fake server mounts no provider '{prefix}'.");

    public static async Task<FakeProviderServer> StartAsync(DemoScenario scenario, string apiKey, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        // The fake answers to nobody's configuration: no appsettings.json, ASPNETCORE_* or Kestrel section.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeProviderServer(app);

        app.Use(async (context, next) =>
        {
            Interlocked.Increment(ref server._requestCount);
            var path = context.Request.Path.Value ?? "";
            var mount = Mounts.FirstOrDefault(m => context.Request.Path.StartsWithSegments("/" + m.Prefix, StringComparison.Ordinal));
            if (mount is not null && !mount.IsAuthorized(context.Request, apiKey) && !FakeInferenceEndpoints.Handles(context.Request.Path))
                await mount.Unauthorized().ExecuteAsync(context);
            else if (server.Faults.TryTake(path, out var fault))
            {
                context.Response.StatusCode = fault.Status;
                context.Response.ContentType = fault.ContentType;
                if (fault.RetryAfterSeconds is { } seconds)
                    context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await context.Response.WriteAsync(fault.Body);
            }
            else if (server.Fixtures.TryMatch(context.Request, out var fixture))
            {
                context.Response.StatusCode = fixture.Status;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(fixture.Body);
            }
            else
                await next(context);
            server.Faults.Log.Enqueue((TimeProvider.System.GetUtcNow(), path + context.Request.QueryString, context.Response.StatusCode));
        });

        foreach (var mount in Mounts)
            mount.Map(app.MapGroup("/" + mount.Prefix), scenario);
        FakeInferenceEndpoints.Map(app, server.Inference, apiKey, prefix => Mounts.Single(m => m.Prefix == prefix).Unauthorized);

        await app.StartAsync(ct);
        var address = new Uri(app.Urls.Single());
        foreach (var mount in Mounts)
            server._baseUrls[mount.Prefix] = new Uri($"http://127.0.0.1:{address.Port}/{mount.Prefix}");
        return server;
    }

    /// <summary>Compares secrets in constant time.</summary>
    internal static bool SameSecret(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
