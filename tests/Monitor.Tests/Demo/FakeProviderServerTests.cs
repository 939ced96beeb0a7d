using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Monitor.Demo;

namespace Monitor.Tests.Demo;

public sealed class FakeProviderServerTests(FakeProviderFixture fixture) : IClassFixture<FakeProviderFixture>
{
    private const string OpenAIUnauthorized =
        """{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""";

    private DemoScenario Scenario => fixture.Scenario;

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    public async Task Get_MistralWithoutTheKey_Returns401WithMistralBody(string? key)
    {
        using var response = await SendAsync(fixture.Mistral("/v1/admin/usage"), key);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("""{"detail":"Unauthorized"}""", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    public async Task Get_OpenAIWithoutTheKey_Returns401WithOpenAIBody(string? key)
    {
        using var response = await SendAsync(fixture.OpenAI("/v1/organization/costs?start_time=0"), key);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(OpenAIUnauthorized, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_AnyRequest_CountsIt()
    {
        var before = fixture.Server.RequestCount;

        using var response = await fixture.Client.GetAsync(fixture.OpenAI("/v1/organization/projects"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(fixture.Server.RequestCount > before);
    }

    [Fact]
    public async Task UsageCompletions_HourlyPagedToTheEnd_SumsToTheTruthPerKeyAndModel()
    {
        var start = Scenario.Start.ToUnixTimeSeconds();
        var sums = new Dictionary<(string, string, bool), (long Input, long Cached, long Output, long Requests)>();
        var buckets = 0;
        var pages = 0;
        string? page = null;
        do
        {
            var query = $"/v1/organization/usage/completions?start_time={start}&bucket_width=1h&limit=168"
                + "&group_by=api_key_id&group_by[]=model&group_by=batch" + (page is null ? "" : $"&page={Uri.EscapeDataString(page)}");
            using var doc = await GetJsonAsync(fixture.OpenAI(query));
            pages++;
            foreach (var bucket in doc.RootElement.GetProperty("data").EnumerateArray())
            {
                buckets++;
                Assert.Equal(3600, bucket.GetProperty("end_time").GetInt64() - bucket.GetProperty("start_time").GetInt64());
                foreach (var r in bucket.GetProperty("results").EnumerateArray())
                {
                    Assert.Equal("organization.usage.completions.result", r.GetProperty("object").GetString());
                    Assert.Equal(JsonValueKind.Null, r.GetProperty("project_id").ValueKind);
                    var key = (r.GetProperty("api_key_id").GetString()!, r.GetProperty("model").GetString()!, r.GetProperty("batch").GetBoolean());
                    var cached = r.GetProperty("input_cached_tokens").GetInt64();
                    var s = sums.GetValueOrDefault(key);
                    sums[key] = (s.Input + r.GetProperty("input_tokens").GetInt64() - cached, s.Cached + cached,
                        s.Output + r.GetProperty("output_tokens").GetInt64(), s.Requests + r.GetProperty("num_model_requests").GetInt64());
                }
            }

            page = doc.RootElement.GetProperty("has_more").GetBoolean() ? doc.RootElement.GetProperty("next_page").GetString() : null;
        }
        while (page is not null);

        var truth = Scenario.Hours
            .Where(h => h.Provider == DemoScenario.OpenAI && !DemoScenario.IsEmbeddingModel(h.Model))
            .GroupBy(h => (h.KeyId, h.Model, h.Batch))
            .ToDictionary(g => g.Key, g => (g.Sum(h => h.InputTokens), g.Sum(h => h.CachedInputTokens), g.Sum(h => h.OutputTokens), g.Sum(h => h.Requests)));
        Assert.Equal((int)(Scenario.End - Scenario.Start).TotalHours, buckets);
        Assert.Equal((buckets + 167) / 168, pages);
        Assert.Equal(truth.OrderBy(x => x.Key), sums.OrderBy(x => x.Key));
    }

    [Fact]
    public async Task UsageEmbeddings_DailyByProject_SumsToTheTruthAndHoldsNoChat()
    {
        var start = Scenario.Start.ToUnixTimeSeconds();

        using var doc = await GetJsonAsync(fixture.OpenAI($"/v1/organization/usage/embeddings?start_time={start}&bucket_width=1d&limit=31&group_by=project_id,model"));

        var rows = doc.RootElement.GetProperty("data").EnumerateArray().SelectMany(b => b.GetProperty("results").EnumerateArray()).ToArray();
        Assert.All(rows, r => Assert.Equal("organization.usage.embeddings.result", r.GetProperty("object").GetString()));
        Assert.All(rows, r => Assert.Equal("text-embedding-3-small", r.GetProperty("model").GetString()));
        Assert.All(rows, r => Assert.Equal("proj_webapp", r.GetProperty("project_id").GetString()));
        var from = Scenario.Start;
        var to = from.AddDays(31);
        var truth = Scenario.Hours.Where(h => h.Model == "text-embedding-3-small" && h.HourStart < to).Sum(h => h.InputTokens);
        Assert.Equal(truth, rows.Sum(r => r.GetProperty("input_tokens").GetInt64()));
        Assert.True(doc.RootElement.GetProperty("has_more").GetBoolean());
    }

    [Fact]
    public async Task UsageCompletions_RangeBeforeTheScenario_EmitsEmptyBuckets()
    {
        var start = Scenario.Start.AddDays(-3).ToUnixTimeSeconds();
        var end = Scenario.Start.AddDays(1).ToUnixTimeSeconds();

        using var doc = await GetJsonAsync(fixture.OpenAI($"/v1/organization/usage/completions?start_time={start}&end_time={end}"));

        var buckets = doc.RootElement.GetProperty("data").EnumerateArray().ToArray();
        Assert.Equal(4, buckets.Length);
        Assert.All(buckets[..3], b => Assert.Empty(b.GetProperty("results").EnumerateArray()));
        Assert.Single(buckets[3].GetProperty("results").EnumerateArray());
        Assert.False(doc.RootElement.GetProperty("has_more").GetBoolean());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("next_page").ValueKind);
    }

    [Fact]
    public async Task UsageCompletions_MissingStartTime_Returns400WithOpenAIError()
    {
        using var response = await fixture.Client.GetAsync(fixture.OpenAI("/v1/organization/usage/completions"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("start_time", doc.RootElement.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task Costs_GroupedByProjectAndLineItem_SumsMatchTheScenario()
    {
        var from = Scenario.End.AddDays(-7);
        var start = new DateTimeOffset(from.Year, from.Month, from.Day, 0, 0, 0, TimeSpan.Zero);

        using var doc = await GetJsonAsync(fixture.OpenAI(
            $"/v1/organization/costs?start_time={start.ToUnixTimeSeconds()}&group_by=project_id&group_by=line_item&limit=180"));

        var rows = doc.RootElement.GetProperty("data").EnumerateArray().SelectMany(b => b.GetProperty("results").EnumerateArray()).ToArray();
        Assert.All(rows, r => Assert.Equal("usd", r.GetProperty("amount").GetProperty("currency").GetString()));
        Assert.All(rows, r => Assert.Equal("tokens", r.GetProperty("quantity_unit").GetString()));
        Assert.All(rows, r => Assert.Equal(JsonValueKind.Null, r.GetProperty("api_key_id").ValueKind));
        var got = rows
            .GroupBy(r => (r.GetProperty("project_id").GetString()!, r.GetProperty("line_item").GetString()!))
            .ToDictionary(g => g.Key, g => g.Sum(r => r.GetProperty("amount").GetProperty("value").GetDecimal()));
        var hours = Scenario.Hours.Where(h => h.Provider == DemoScenario.OpenAI && h.HourStart >= start).ToArray();
        // Line items as free text: "<model>, input|output", and for the batch pipeline the token kind alone (the spec's "input_tokens").
        string Line(DemoUsageHour h, string kind) => h.Workspace == "proj_batch" ? kind + "_tokens" : $"{h.Model}, {kind}";
        var expected = hours.Select(h => (Key: (h.Workspace, Line(h, "input")), Amount: Scenario.InputCostOf(h)))
            .Concat(hours.Where(h => h.OutputTokens > 0).Select(h => (Key: (h.Workspace, Line(h, "output")), Amount: Scenario.OutputCostOf(h))))
            .GroupBy(x => x.Key)
            .ToDictionary(g => g.Key, g => g.Sum(x => x.Amount));
        Assert.Equal(expected.OrderBy(x => x.Key), got.OrderBy(x => x.Key));
        Assert.Contains(("proj_batch", "input_tokens"), got.Keys);
        Assert.Contains(("proj_webapp", "gpt-4.1-2025-04-14, input"), got.Keys);
    }

    [Fact]
    public async Task Costs_Ungrouped_OneRowPerDayWithTheDayTotal()
    {
        var day = Scenario.End.AddDays(-3);
        var start = new DateTimeOffset(day.Year, day.Month, day.Day, 0, 0, 0, TimeSpan.Zero);

        using var doc = await GetJsonAsync(fixture.OpenAI($"/v1/organization/costs?start_time={start.ToUnixTimeSeconds()}&limit=1"));

        var bucket = Assert.Single(doc.RootElement.GetProperty("data").EnumerateArray());
        var row = Assert.Single(bucket.GetProperty("results").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("line_item").ValueKind);
        Assert.Equal(JsonValueKind.Null, row.GetProperty("quantity").ValueKind);
        var truth = Scenario.Hours.Where(h => h.Provider == DemoScenario.OpenAI && h.HourStart >= start && h.HourStart < start.AddDays(1)).Sum(Scenario.CostOf);
        Assert.Equal(truth, row.GetProperty("amount").GetProperty("value").GetDecimal());
        Assert.True(doc.RootElement.GetProperty("has_more").GetBoolean());
    }

    [Fact]
    public async Task ProjectApiKeys_PagedByAfter_ListsEveryKeyWithLastUse()
    {
        using var projects = await GetJsonAsync(fixture.OpenAI("/v1/organization/projects?limit=2"));
        Assert.True(projects.RootElement.GetProperty("has_more").GetBoolean());
        var last = projects.RootElement.GetProperty("last_id").GetString();
        using var rest = await GetJsonAsync(fixture.OpenAI($"/v1/organization/projects?limit=2&after={last}"));
        Assert.False(rest.RootElement.GetProperty("has_more").GetBoolean());

        using var keys = await GetJsonAsync(fixture.OpenAI("/v1/organization/projects/proj_support/api_keys?owner_project_access=any"));

        var key = Assert.Single(keys.RootElement.GetProperty("data").EnumerateArray());
        Assert.Equal("key_support", key.GetProperty("id").GetString());
        Assert.Equal("user", key.GetProperty("owner").GetProperty("type").GetString());
        var lastUsed = Scenario.Hours.Where(h => h.KeyId == "key_support").Max(h => h.HourStart).AddHours(1);
        Assert.Equal(lastUsed.ToUnixTimeSeconds(), key.GetProperty("last_used_at").GetInt64());
    }

    [Fact]
    public async Task MistralModels_DeprecatedModel_CarriesDateAndReplacement()
    {
        using var doc = await GetJsonAsync(fixture.Mistral("/v1/models"));

        var cards = doc.RootElement.GetProperty("data").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetString()!);
        Assert.Equal("2027-01-06T12:00:00Z", cards["mistral-medium-2505"].GetProperty("deprecation").GetString());
        Assert.Equal("mistral-medium-3-5", cards["mistral-medium-2505"].GetProperty("deprecation_replacement_model").GetString());
        Assert.Equal("mistral-large-latest", cards["mistral-large-2512"].GetProperty("aliases")[0].GetString());
        Assert.Contains("mistral-medium-3-5", cards.Keys);
        Assert.All(cards.Values, c => Assert.Equal("base", c.GetProperty("type").GetString()));
    }

    private async Task<HttpResponseMessage> SendAsync(Uri uri, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (key is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var client = new HttpClient();
        return await client.SendAsync(request);
    }

    private async Task<JsonDocument> GetJsonAsync(Uri uri)
    {
        using var response = await fixture.Client.GetAsync(uri);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {uri}: {body}");
        return JsonDocument.Parse(body);
    }
}
