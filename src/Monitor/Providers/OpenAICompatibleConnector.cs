using System.Text.Json;
using Monitor.Core.Deprecations;
using Monitor.Hosting;

namespace Monitor.Providers;

/// <summary>
/// Any server that speaks OpenAI's format (Mistral's OpenAI-compatible endpoint, vLLM, a gateway): <c>GET /v1/models</c>
/// checks the key and lists the models, with <c>shutdown_date</c> where the server gives one. Such servers publish no
/// usage or billing API, so no usage windows are pulled here. The base URL may end in <c>/v1</c> or not (<see cref="BaseUrls"/>).
/// </summary>
public sealed class OpenAICompatibleConnector(ProviderHttp http) : IProviderConnector
{
    public ProviderOptions Account => http.Account;

    public DriftLog Drift => http.Drift;

    public IReadOnlyList<(DateTimeOffset From, DateTimeOffset To)> Chunk(DateTimeOffset from, DateTimeOffset to, TimeSpan chunk) => [];

    public Task<UsagePull> PullUsageAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        throw new NotSupportedException($"{Account.Name}: an OpenAI-compatible endpoint has no usage API to pull");

    public async Task<InventoryPull> PullInventoryAsync(CancellationToken ct)
    {
        const string path = "/v1/models";
        const string endpoint = "GET " + path;
        using var document = await http.GetJsonAsync(path, ct);
        var root = document.RootElement;
        var data = root.ValueKind == JsonValueKind.Array ? root
            : root.Get("data") is { ValueKind: JsonValueKind.Array } list ? list
            : throw http.Malformed(endpoint, "data", "missing or not an array");
        var models = data.EnumerateArray().Select(m => new ModelInfo
        {
            Model = m.Str("id") ?? throw http.Malformed(endpoint, "data[].id", "missing"),
            ShutdownAt = m.Time("shutdown_date"),
        }).ToList();
        return new InventoryPull(null, models, null);
    }
}
