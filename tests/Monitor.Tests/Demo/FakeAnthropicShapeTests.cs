using System.Globalization;
using Monitor.Demo;
using Monitor.Tests.Support;

namespace Monitor.Tests.Demo;

/// <summary>
/// The demo's fake Anthropic Admin API sends only what the recorded fixtures (tests/Fixtures/anthropic, shaped after
/// Anthropic's API reference) show, with the same JSON kinds, for every endpoint the connector reads.
/// </summary>
public sealed class FakeAnthropicShapeTests(FakeProviderFixture fixture) : IClassFixture<FakeProviderFixture>
{
    [Theory]
    [InlineData("anthropic/usage-messages-page1.json",
        "/v1/organizations/usage_report/messages?bucket_width=1h&limit=168&group_by[]=model&group_by[]=api_key_id&group_by[]=workspace_id&group_by[]=service_tier&group_by[]=context_window")]
    [InlineData("anthropic/cost-report.json", "/v1/organizations/cost_report?bucket_width=1d&limit=31&group_by[]=workspace_id&group_by[]=description")]
    [InlineData("anthropic/api-keys-page1.json", "/v1/organizations/api_keys?limit=100")]
    public async Task Endpoint_SendsOnlyTheFixturesFieldsAndKinds(string fixtureName, string pathAndQuery)
    {
        var start = fixture.Scenario.End.AddDays(-2);
        var day = new DateTimeOffset(start.Year, start.Month, start.Day, 0, 0, 0, TimeSpan.Zero);
        var query = pathAndQuery.Contains("_report", StringComparison.Ordinal)
            ? pathAndQuery + "&starting_at=" + Uri.EscapeDataString(day.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))
            : pathAndQuery;
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"{fixture.Server.BaseUrlOf("anthropic")}{query}"));
        request.Headers.Add("x-api-key", FakeProviderFixture.ApiKey);
        request.Headers.Add("anthropic-version", FakeAnthropicEndpoints.Version);

        using var response = await fixture.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.IsSuccessStatusCode, body);
        JsonShape.AssertConforms(Fixture.Load(fixtureName).Body, body);
    }
}
