using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Monitor.Demo;
using Monitor.Tests.Support;

namespace Monitor.Tests.Demo;

/// <summary>
/// The demo's Mistral fake against the recorded payloads (tests/Fixtures/mistral): the same fields with the same JSON
/// kinds, the admin key in x-api-key, dated rows that add up to the scenario, an archived workspace, the organisation total.
/// </summary>
public sealed class FakeMistralEndpointsTests(FakeProviderFixture fixture) : IClassFixture<FakeProviderFixture>
{
    /// <summary>Paths whose object keys are data (model ids), not field names.</summary>
    private static readonly string[] UsageMaps =
    [
        "completion.models", "chat.models", "ocr.models", "connectors.models", "audio.models", "audio_characters.models",
        "libraries_api.pages.models", "libraries_api.tokens.models", "libraries_api.audio_seconds.models",
        "fine_tuning.training", "fine_tuning.storage",
        "vibe_code.completion.models", "vibe_code.ocr.models", "vibe_code.connectors.models", "vibe_code.audio.models", "vibe_code.audio_characters.models",
    ];

    private DemoScenario Scenario => fixture.Scenario;

    [Theory]
    [InlineData("mistral/usage.json", "/v1/admin/usage?month=11&year=2026&workspace_id={workspace}")]
    [InlineData("mistral/usage-organisation.json", "/v1/admin/usage?month=11&year=2026")]
    [InlineData("mistral/workspaces-page-1.json", "/v1/admin/workspaces?page=1&page_size=2")]
    [InlineData("mistral/workspaces-archived.json", "/v1/admin/workspaces?page=1&page_size=100&is_archived=true")]
    [InlineData("mistral/api-keys.json", "/v1/admin/api-keys?limit=100&offset=0")]
    [InlineData("mistral/spend-limit.json", "/v1/admin/spend-limit")]
    [InlineData("mistral/models.json", "/v1/models")]
    public async Task Payload_SameFieldsAndKindsAsTheRecordedFixture(string name, string pathAndQuery)
    {
        var workspace = Scenario.Workspaces.First(w => w.Provider == DemoScenario.Mistral).Id;

        var body = await GetAsync(fixture.Mistral(pathAndQuery.Replace("{workspace}", workspace, StringComparison.Ordinal)));

        JsonShape.AssertConforms(Fixture.Load(name).Body, body, UsageMaps);
    }

    [Fact]
    public async Task CodestralModels_SameFieldsAndKindsAsTheRecordedFixture()
    {
        using var response = await fixture.Client.GetAsync(new Uri($"{fixture.Server.BaseUrlOf("codestral")}/v1/models"));

        JsonShape.AssertConforms(Fixture.Load("codestral/models.json").Body, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Admin_TheKeyAsBearer_Is401_InXApiKey_Is200()
    {
        using var bearer = await fixture.Client.GetAsync(fixture.Mistral("/v1/admin/spend-limit"));
        using var models = await fixture.Client.GetAsync(fixture.Mistral("/v1/models"));

        Assert.Equal(HttpStatusCode.Unauthorized, bearer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, models.StatusCode); // the model list takes a workspace key as bearer
        Assert.NotEmpty(await GetAsync(fixture.Mistral("/v1/admin/spend-limit")));
    }

    [Fact]
    public async Task Usage_EveryMonthAndWorkspace_DatedRowsPricedByPricesAddUpToTheScenario()
    {
        foreach (var workspace in Scenario.Workspaces.Where(w => w.Provider == DemoScenario.Mistral))
        {
            for (var month = new DateTimeOffset(Scenario.Start.Year, Scenario.Start.Month, 1, 0, 0, 0, TimeSpan.Zero); month < Scenario.End; month = month.AddMonths(1))
            {
                using var doc = JsonDocument.Parse(await GetAsync(fixture.Mistral($"/v1/admin/usage?month={month.Month:00}&year={month.Year}&workspace_id={workspace.Id}")));

                var truth = Scenario.Hours
                    .Where(h => h.Workspace == workspace.Id && h.HourStart >= month && h.HourStart < month.AddMonths(1))
                    .GroupBy(h => (h.Model, Day: h.HourStart.UtcDateTime.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)))
                    .ToDictionary(g => g.Key, g => (Input: g.Sum(h => h.InputTokens), Cached: g.Sum(h => h.CachedInputTokens), Output: g.Sum(h => h.OutputTokens), Cost: g.Sum(Scenario.CostOf)));
                Assert.Equal(truth, Sums(doc.RootElement));
                Assert.Equal("EUR", doc.RootElement.GetProperty("currency").GetString());
            }
        }
    }

    [Fact]
    public async Task Usage_WithoutWorkspace_IsEveryWorkspaceArchivedIncluded()
    {
        var month = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

        using var doc = JsonDocument.Parse(await GetAsync(fixture.Mistral("/v1/admin/usage?month=11&year=2026")));

        var truth = Scenario.Hours.Where(h => h.Provider == DemoScenario.Mistral && h.HourStart >= month)
            .GroupBy(h => (h.Model, Day: h.HourStart.UtcDateTime.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)))
            .ToDictionary(g => g.Key, g => (Input: g.Sum(h => h.InputTokens), Cached: g.Sum(h => h.CachedInputTokens), Output: g.Sum(h => h.OutputTokens), Cost: g.Sum(Scenario.CostOf)));
        Assert.Equal(truth, Sums(doc.RootElement));
    }

    [Fact]
    public async Task Workspaces_DefaultListingLeavesTheArchivedOut_IsArchivedListsIt()
    {
        using var active = JsonDocument.Parse(await GetAsync(fixture.Mistral("/v1/admin/workspaces")));
        using var archived = JsonDocument.Parse(await GetAsync(fixture.Mistral("/v1/admin/workspaces?is_archived=true")));

        string[] Names(JsonDocument d) => [.. d.RootElement.GetProperty("items").EnumerateArray().Select(w => w.GetProperty("name").GetString()!)];
        Assert.Equal(["Product Team", "Data Science"], Names(active));
        Assert.Equal(["Support Bot"], Names(archived));
    }

    [Fact]
    public async Task Usage_AliasTargets_AreKeyedAliasColonColonModel()
    {
        using var doc = JsonDocument.Parse(await GetAsync(fixture.Mistral("/v1/admin/usage?month=11&year=2026")));

        var keys = doc.RootElement.GetProperty("completion").GetProperty("models").EnumerateObject().Select(m => m.Name).ToList();
        Assert.Contains("mistral-large-latest::mistral-large-2512", keys);
        Assert.Contains("mistral-medium-2505", keys); // no alias points at it
    }

    [Fact]
    public async Task SpendLimit_CurrentMonth_IsTheMonthToDateCost()
    {
        using var doc = JsonDocument.Parse(await GetAsync(fixture.Mistral("/v1/admin/spend-limit")));

        var completion = doc.RootElement.GetProperty("limits").GetProperty("completion");
        var monthStart = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var truth = Scenario.Hours.Where(h => h.Provider == DemoScenario.Mistral && h.HourStart >= monthStart).Sum(Scenario.CostOf);
        Assert.Equal(decimal.Round(truth, 2), completion.GetProperty("usage").GetDecimal());
        Assert.Equal(500m, completion.GetProperty("usage_limit").GetDecimal());
        Assert.Equal("EUR", doc.RootElement.GetProperty("limits").GetProperty("currency").GetString());
    }

    [Fact]
    public async Task ApiKeys_OffsetPaging_ListsTheThreeKeys()
    {
        using var first = JsonDocument.Parse(await GetAsync(fixture.Mistral("/v1/admin/api-keys?limit=2")));
        using var second = JsonDocument.Parse(await GetAsync(fixture.Mistral("/v1/admin/api-keys?limit=2&offset=2")));

        var keys = first.RootElement.GetProperty("keys").EnumerateArray().Concat(second.RootElement.GetProperty("keys").EnumerateArray()).ToArray();
        Assert.Equal(3, keys.Length);
        Assert.All(keys, k => Assert.Equal(JsonValueKind.Null, k.GetProperty("key").ValueKind));
        Assert.Single(keys, k => k.GetProperty("expiration_date").ValueKind == JsonValueKind.String);
        var lastUsed = Scenario.Hours.Where(h => h.Provider == DemoScenario.Mistral).Max(h => h.HourStart);
        Assert.All(keys, k => Assert.Equal(lastUsed.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), k.GetProperty("last_used").GetString()));
    }

    /// <summary>Tokens (value) and money (value_paid times the token price of prices[]) per dated model and day.</summary>
    private static Dictionary<(string Model, string Day), (long Input, long Cached, long Output, decimal Cost)> Sums(JsonElement root)
    {
        var prices = root.GetProperty("prices").EnumerateArray()
            .Where(p => p.GetProperty("event_type").GetString() == "api_tokens")
            .ToDictionary(p => (p.GetProperty("billing_metric").GetString()!, p.GetProperty("billing_group").GetString()!),
                p => decimal.Parse(p.GetProperty("price").GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture));
        var sums = new Dictionary<(string, string), (long Input, long Cached, long Output, decimal Cost)>();
        foreach (var model in root.GetProperty("completion").GetProperty("models").EnumerateObject())
        {
            foreach (var group in model.Value.EnumerateObject())
            {
                foreach (var row in group.Value.EnumerateArray())
                {
                    var metric = row.GetProperty("billing_metric").GetString()!;
                    Assert.EndsWith(metric, model.Name, StringComparison.Ordinal);
                    var key = (metric, row.GetProperty("timestamp").GetString()!);
                    var (value, paid) = (row.GetProperty("value").GetInt64(), row.GetProperty("value_paid").GetInt64());
                    var s = sums.GetValueOrDefault(key);
                    s.Cost += paid * prices[(metric, group.Name)];
                    _ = group.Name switch
                    {
                        "input" => s.Input += value,
                        "cached" => s.Cached += value,
                        _ => s.Output += value,
                    };
                    sums[key] = s;
                }
            }
        }

        return sums;
    }

    private async Task<string> GetAsync(Uri uri)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (uri.AbsolutePath.Contains("/v1/admin/", StringComparison.Ordinal))
            request.Headers.Add("x-api-key", FakeProviderFixture.ApiKey);
        else
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", FakeProviderFixture.ApiKey);
        using var client = new HttpClient();
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {uri}: {body}");
        return body;
    }
}
