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
    private int _requestCount;

    private FakeProviderServer(WebApplication app) => _app = app;

    /// <summary><c>http://127.0.0.1:{port}/mistral</c>; Mistral paths (<c>/v1/...</c>) go below it.</summary>
    public Uri MistralBaseUrl { get; private set; } = null!;

    /// <summary><c>http://127.0.0.1:{port}/openai</c>; OpenAI paths (<c>/v1/...</c>) go below it.</summary>
    public Uri OpenAIBaseUrl { get; private set; } = null!;

    /// <summary>Requests served so far, rejected ones included.</summary>
    public int RequestCount => Volatile.Read(ref _requestCount);

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

        var expected = Encoding.UTF8.GetBytes($"Bearer {apiKey}");
        app.Use(async (context, next) =>
        {
            Interlocked.Increment(ref server._requestCount);
            var given = Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString());
            if (CryptographicOperations.FixedTimeEquals(given, expected))
            {
                await next(context);
                return;
            }

            var unauthorized = context.Request.Path.StartsWithSegments("/mistral", StringComparison.Ordinal)
                ? FakeMistralEndpoints.Unauthorized()
                : FakeOpenAIEndpoints.Unauthorized();
            await unauthorized.ExecuteAsync(context);
        });

        FakeMistralEndpoints.Map(app.MapGroup("/mistral"), scenario);
        FakeOpenAIEndpoints.Map(app.MapGroup("/openai"), scenario);

        await app.StartAsync(ct);
        var address = new Uri(app.Urls.Single());
        server.MistralBaseUrl = new Uri($"http://127.0.0.1:{address.Port}/mistral");
        server.OpenAIBaseUrl = new Uri($"http://127.0.0.1:{address.Port}/openai");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
