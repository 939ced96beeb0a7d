using System.Text;
using System.Text.Json;
using Monitor.Demo;
using Monitor.Hosting;
using Monitor.Providers;
using Monitor.Tests.Support;

namespace Monitor.Tests.Providers;

/// <summary>The connectors' one paging loop over real HTTP: provider signals end a walk, and a walk that stops making progress fails.</summary>
public sealed class PagerTests : IAsyncLifetime, IDisposable
{
    private const string Endpoint = "GET /v1/things";
    private const string Key = "pager-test-key";
    private readonly string _variable = "MONITOR_PAGER_KEY_" + Guid.NewGuid().ToString("N");
    private readonly HttpClient _client = new();
    private FakeProviderServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeProviderServer.StartAsync(DemoScenario.Create(PullHarness.Now, 3), Key, CancellationToken.None);
        Environment.SetEnvironmentVariable(_variable, Key);
    }

    public async Task DisposeAsync()
    {
        Environment.SetEnvironmentVariable(_variable, null);
        await _server.DisposeAsync();
    }

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task OffsetAsync_ServerIgnoresOffset_FailsNamingTheEndpointInsteadOfLooping()
    {
        _server.Faults.Add("/compatible/v1/things", new FakeFault(200, Page(["a", "b"])), times: 50);

        var e = await Assert.ThrowsAsync<ProviderException>(() => CollectAsync(p => p.OffsetAsync(o => $"/v1/things?offset={o}", Parse, Info, CancellationToken.None)));

        Assert.Contains(Endpoint, e.Message, StringComparison.Ordinal);
        Assert.Contains("paging made no progress", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, _server.Faults.Log.Count); // caught at the second page
    }

    [Fact]
    public async Task OffsetAsync_SamePageWithADifferentRequestId_IsCaughtByItsFirstItem()
    {
        for (var i = 0; i < 5; i++)
            _server.Faults.Add("/compatible/v1/things", new FakeFault(200, Page(["a", "b"], requestId: "req-" + i)));

        var e = await Assert.ThrowsAsync<ProviderException>(() => CollectAsync(p => p.OffsetAsync(o => $"/v1/things?offset={o}", Parse, Info, CancellationToken.None)));

        Assert.Contains("same item", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OffsetAsync_ShortPage_EndsTheWalkWithEveryItem()
    {
        _server.Faults.Add("/compatible/v1/things", new FakeFault(200, Page(["a", "b"], pageSize: 2)));
        _server.Faults.Add("/compatible/v1/things", new FakeFault(200, Page(["c", "d"], pageSize: 2)));
        _server.Faults.Add("/compatible/v1/things", new FakeFault(200, Page(["e"], pageSize: 2)));

        var items = await CollectAsync(p => p.OffsetAsync(o => $"/v1/things?offset={o}", Parse, Info, CancellationToken.None));

        Assert.Equal(["a", "b", "c", "d", "e"], items);
        Assert.Contains(_server.Faults.Log, l => l.PathAndQuery.EndsWith("offset=4", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CursorAsync_CursorComesBack_Fails()
    {
        _server.Faults.Add("/compatible/v1/things", new FakeFault(200, Page(["a"], next: "c1")));
        _server.Faults.Add("/compatible/v1/things", new FakeFault(200, Page(["b"], next: "c2")));
        _server.Faults.Add("/compatible/v1/things", new FakeFault(200, Page(["c"], next: "c1")));

        var e = await Assert.ThrowsAsync<ProviderException>(() => CollectAsync(p => p.CursorAsync(c => "/v1/things" + (c is null ? "" : "?page=" + c), Parse, Info, CancellationToken.None)));

        Assert.Contains("'c1' came back", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NumberedAsync_AnnouncedTotalPages_EndsTheWalkEvenIfTheServerWouldServeMore()
    {
        _server.Faults.Add("/compatible/v1/things", new FakeFault(200, Page(["a"], totalPages: 2)));
        _server.Faults.Add("/compatible/v1/things", new FakeFault(200, Page(["b"], totalPages: 2)));
        _server.Faults.Add("/compatible/v1/things", new FakeFault(200, Page(["c"], totalPages: 2)));

        var items = await CollectAsync(p => p.NumberedAsync(n => $"/v1/things?page={n}", Parse, Info, CancellationToken.None));

        Assert.Equal(["a", "b"], items);
        Assert.Equal(1, _server.Faults.Pending);
    }

    private async Task<List<string>> CollectAsync(Func<Pager, IAsyncEnumerable<ThingPage>> walk)
    {
        var account = new ProviderOptions { Name = "pager-test", Kind = "OpenAICompatible", BaseUrl = _server.BaseUrlOf("compatible").ToString(), ApiKeyEnv = _variable };
        var pager = new Pager(new ProviderHttp(_client, account), Endpoint);
        var items = new List<string>();
        await foreach (var page in walk(pager))
            items.AddRange(page.Data);
        return items;
    }

    private static string Page(string[] ids, int? pageSize = null, int? totalPages = null, string? next = null, string? requestId = null) =>
        JsonSerializer.Serialize(new { data = ids, page_size = pageSize, total_pages = totalPages, next, request_id = requestId });

    private static ThingPage Parse(byte[] body)
    {
        using var document = JsonDocument.Parse(Encoding.UTF8.GetString(body));
        var root = document.RootElement;
        return new ThingPage(
            [.. root.GetProperty("data").EnumerateArray().Select(e => e.GetString()!)],
            root.Long("page_size") is { } size ? (int)size : null,
            root.Long("total_pages"),
            root.Str("next"));
    }

    private static PageInfo Info(ThingPage p) =>
        new(p.Data.Count, PageSize: p.PageSize, TotalPages: p.TotalPages, NextCursor: p.Next, FirstId: p.Data.Count > 0 ? p.Data[0] : null);

    private sealed record ThingPage(IReadOnlyList<string> Data, int? PageSize, long? TotalPages, string? Next);
}
