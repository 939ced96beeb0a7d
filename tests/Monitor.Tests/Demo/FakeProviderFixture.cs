using System.Net.Http.Headers;
using Monitor.Demo;

namespace Monitor.Tests.Demo;

/// <summary>One fake provider server on 127.0.0.1 for the tests of a class, with a client that sends the right key.</summary>
public sealed class FakeProviderFixture : IAsyncLifetime
{
    public const string ApiKey = "demo-test-key";

    public DemoScenario Scenario { get; } = DemoScenario.Create(new DateTimeOffset(2026, 11, 22, 15, 30, 0, TimeSpan.Zero));

    public FakeProviderServer Server { get; private set; } = null!;

    public HttpClient Client { get; } = new();

    public async Task InitializeAsync()
    {
        Server = await FakeProviderServer.StartAsync(Scenario, ApiKey, CancellationToken.None);
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }

    public Uri Mistral(string pathAndQuery) => new($"{Server.MistralBaseUrl}{pathAndQuery}");

    public Uri OpenAI(string pathAndQuery) => new($"{Server.OpenAIBaseUrl}{pathAndQuery}");
}
