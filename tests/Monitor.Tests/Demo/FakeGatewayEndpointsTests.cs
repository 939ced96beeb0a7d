using System.Globalization;
using System.Text.Json;
using Monitor.Demo;
using Monitor.Tests.Support;

namespace Monitor.Tests.Demo;

/// <summary>
/// The demo's OpenRouter, Kilo and LiteLLM fakes: every payload they send has the shape of the recorded fixture of the
/// same endpoint (tests/Fixtures), and they behave like the real servers where the connectors depend on it.
/// </summary>
public sealed class FakeGatewayEndpointsTests(FakeProviderFixture fixture) : IClassFixture<FakeProviderFixture>
{
    private static readonly string[] RollupMaps =
    [
        "results[].breakdown.models", "results[].breakdown.models.{}.api_key_breakdown", "results[].breakdown.model_groups",
        "results[].breakdown.model_groups.{}.api_key_breakdown", "results[].breakdown.providers", "results[].breakdown.providers.{}.api_key_breakdown",
        "results[].breakdown.endpoints", "results[].breakdown.endpoints.{}.api_key_breakdown", "results[].breakdown.mcp_servers",
        "results[].breakdown.mcp_servers.{}.api_key_breakdown", "results[].breakdown.entities", "results[].breakdown.entities.{}.api_key_breakdown",
        "results[].breakdown.api_keys",
    ];

    private DemoScenario Scenario => fixture.Scenario;

    private string ResearchKey => Scenario.Keys.Single(k => k.Name == FakeOpenRouterEndpoints.ByokKeyName).KeyId;

    private string LiteLLMKey => Scenario.Keys.First(k => k.Provider == DemoScenario.LiteLLM).KeyId;

    public static TheoryData<string, string> Endpoints => new()
    {
        { "openrouter/key.json", "/openrouter/v1/key" },
        { "openrouter/workspaces.json", "/openrouter/v1/workspaces?offset=0&limit=100" },
        { "openrouter/keys-default.json", "/openrouter/v1/keys?include_disabled=true&offset=0" },
        { "openrouter/keys-research.json", "/openrouter/v1/keys?include_disabled=true&workspace_id={research}&offset=0" },
        { "openrouter/keys-empty.json", "/openrouter/v1/keys?include_disabled=true&offset=50" },
        { "openrouter/activity-key-research.json", "/openrouter/v1/activity?api_key_hash={byok}&group_by=workspace" },
        { "openrouter/activity.json", "/openrouter/v1/activity?group_by=workspace" },
        { "openrouter/credits.json", "/openrouter/v1/credits" },
        { "openrouter/models.json", "/openrouter/v1/models?output_modalities=all" },
        { "kilo/usage-personal.json", "/kilo/api/profile/usage?groupByModel=true&viewType=personal" },
        { "kilo/usage-org.json", "/kilo/api/profile/usage?groupByModel=true&viewType=" + FakeKiloEndpoints.OrganizationId },
        { "kilo/balance-personal.json", "/kilo/api/profile/balance" },
        { "litellm/spend-logs-page1.json", "/litellm/spend/logs/v2?start_date={yesterday}%2000:00:00&end_date={today}%2000:00:00&page=1&page_size=1000&sort_by=startTime&sort_order=asc" },
        { "litellm/user-daily-activity-page2.json", "/litellm/user/daily/activity?start_date={first}&end_date={today}&page=1&page_size=1000" },
        { "litellm/key-list-page1.json", "/litellm/key/list?return_full_object=true&page=1&size=100" },
        { "litellm/key-info-search.json", "/litellm/key/info?key={litellm}" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Get_Endpoint_SendsOnlyFieldsOfTheRecordedFixtureWithTheirKinds(string fixtureName, string pathAndQuery)
    {
        var body = await GetAsync(pathAndQuery);

        Assert.NotEqual("[]", body);
        JsonShape.AssertConforms(Fixture.Load(fixtureName).Body, body, fixtureName.StartsWith("litellm/user-daily", StringComparison.Ordinal) ? RollupMaps : []);
    }

    [Fact]
    public async Task OpenRouterKeys_WithoutWorkspaceId_ListOnlyTheDefaultWorkspace()
    {
        var research = Scenario.Workspaces.Where(w => w.Provider == DemoScenario.OpenRouter).Skip(1).Single().Id;

        var byDefault = await HashesAsync("/openrouter/v1/keys?include_disabled=true&offset={0}");
        var inResearch = await HashesAsync($"/openrouter/v1/keys?include_disabled=true&workspace_id={research}&offset={{0}}");

        Assert.Equal([ResearchKey], inResearch);
        Assert.DoesNotContain(ResearchKey, byDefault);
        Assert.Contains(FakeOpenRouterEndpoints.DisabledKeyHash, byDefault);
    }

    [Fact]
    public async Task OpenRouterActivity_Unfiltered_HoldsTheDeletedKeyBeyondTheKeysAndByokApart()
    {
        var day = FakeOpenRouterEndpoints.Today(Scenario).AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var keys = Scenario.Keys.Where(k => k.Provider == DemoScenario.OpenRouter).Select(k => k.KeyId).Append(FakeOpenRouterEndpoints.DisabledKeyHash);
        decimal keyed = 0, byok = 0;
        foreach (var key in keys)
        {
            var rows = await RowsAsync($"/openrouter/v1/activity?api_key_hash={key}&date={day}");
            keyed += rows.Sum(r => r.GetProperty("usage").GetDecimal());
            byok += rows.Sum(r => r.GetProperty("byok_usage_inference").GetDecimal());
        }

        var all = await RowsAsync($"/openrouter/v1/activity?date={day}");

        Assert.Equal(FakeOpenRouterEndpoints.DeletedKeyUsagePerDay, all.Sum(r => r.GetProperty("usage").GetDecimal()) - keyed);
        Assert.True(byok > 0);
        Assert.Equal(byok, all.Sum(r => r.GetProperty("byok_usage_inference").GetDecimal()));
        Assert.All(all, r => Assert.False(r.TryGetProperty("workspace_id", out _))); // only with group_by=workspace
    }

    [Fact]
    public async Task KiloUsage_ViewType_SelectsPersonalOrOrganisationUsageAndInputIncludesCacheHits()
    {
        var personal = await UsageAsync("personal");
        var organisation = await UsageAsync(FakeKiloEndpoints.OrganizationId);
        var all = await UsageAsync("all");
        var other = await UsageAsync("00000000-0000-4000-8000-000000000000");

        Assert.Equal(all.Cost, personal.Cost + organisation.Cost);
        Assert.True(personal.Cost > 0 && organisation.Cost > 0);
        Assert.Equal(0, other.Cost);
        var hours = Scenario.Hours.Where(h => h.Provider == DemoScenario.Kilo).ToList();
        Assert.Equal(hours.Sum(h => h.InputTokens + h.CachedInputTokens), all.Input);
    }

    [Fact]
    public async Task LiteLLMSpendLogs_OldRowsAreGoneAndTheSortOrderIsHonoured()
    {
        var from = Scenario.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var to = Scenario.End.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var query = $"/litellm/spend/logs/v2?start_date={from}%2000:00:00&end_date={to}%2023:59:59&page=1&page_size=5";

        var ascending = await RowsAsync(query + "&sort_by=startTime&sort_order=asc");
        var descending = await RowsAsync(query);

        var oldest = DateTimeOffset.Parse(ascending[0].GetProperty("startTime").GetString()!, CultureInfo.InvariantCulture);
        Assert.True(oldest >= FakeLiteLLMEndpoints.RetainedFrom(Scenario), $"{oldest:O} is past retention");
        Assert.True(oldest < FakeLiteLLMEndpoints.RetainedFrom(Scenario).AddHours(1));
        Assert.True(DateTimeOffset.Parse(descending[0].GetProperty("startTime").GetString()!, CultureInfo.InvariantCulture) > oldest.AddDays(29));
    }

    [Fact]
    public async Task LiteLLMDailyActivity_HoldsDaysPastRetentionAndSumsOverPagesToTheScenario()
    {
        var first = Scenario.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var last = Scenario.End.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        decimal spend = 0;
        long requests = 0;
        for (var page = 1; ; page++)
        {
            using var document = JsonDocument.Parse(await GetAsync($"/litellm/user/daily/activity?start_date={first}&end_date={last}&page={page}&page_size=7"));
            foreach (var result in document.RootElement.GetProperty("results").EnumerateArray())
            {
                spend += result.GetProperty("metrics").GetProperty("spend").GetDecimal();
                requests += result.GetProperty("metrics").GetProperty("api_requests").GetInt64();
            }

            if (!document.RootElement.GetProperty("metadata").GetProperty("has_more").GetBoolean())
                break;
        }

        var hours = Scenario.Hours.Where(h => h.Provider == DemoScenario.LiteLLM).ToList();
        Assert.Equal(hours.Sum(FakeLiteLLMEndpoints.RowCount), requests);
        Assert.Equal(decimal.Round(hours.Sum(Scenario.CostOf), 6), decimal.Round(spend, 6));
    }

    private async Task<string> GetAsync(string pathAndQuery)
    {
        var today = Scenario.End.UtcDateTime.Date;
        var path = pathAndQuery
            .Replace("{research}", Scenario.Workspaces.Where(w => w.Provider == DemoScenario.OpenRouter).Skip(1).Single().Id, StringComparison.Ordinal)
            .Replace("{byok}", ResearchKey, StringComparison.Ordinal)
            .Replace("{litellm}", LiteLLMKey, StringComparison.Ordinal)
            .Replace("{today}", today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{yesterday}", today.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{first}", today.AddDays(-40).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var root = fixture.Server.BaseUrlOf("openrouter").GetLeftPart(UriPartial.Authority);
        using var response = await fixture.Client.GetAsync(new Uri(root + path));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return body;
    }

    private async Task<List<JsonElement>> RowsAsync(string pathAndQuery)
    {
        using var document = JsonDocument.Parse(await GetAsync(pathAndQuery));
        return [.. document.RootElement.GetProperty("data").EnumerateArray().Select(e => e.Clone())];
    }

    private async Task<List<string>> HashesAsync(string pathWithOffset)
    {
        var hashes = new List<string>();
        for (var offset = 0; ; offset++)
        {
            var rows = await RowsAsync(string.Format(CultureInfo.InvariantCulture, pathWithOffset, offset));
            if (rows.Count == 0)
                return hashes;
            hashes.AddRange(rows.Select(r => r.GetProperty("hash").GetString()!));
        }
    }

    private async Task<(decimal Cost, long Input)> UsageAsync(string view)
    {
        using var document = JsonDocument.Parse(await GetAsync($"/kilo/api/profile/usage?groupByModel=true&viewType={view}"));
        var rows = document.RootElement.GetProperty("usage").EnumerateArray().ToList();
        return (rows.Sum(r => r.GetProperty("total_cost").GetDecimal()), rows.Sum(r => r.GetProperty("total_input_tokens").GetInt64()));
    }
}
