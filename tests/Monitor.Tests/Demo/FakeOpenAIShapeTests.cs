using System.Net;
using System.Net.Http.Headers;
using Monitor.Demo;
using Monitor.Tests.Support;

namespace Monitor.Tests.Demo;

/// <summary>
/// The demo's fake OpenAI sends only what the recorded fixtures (tests/Fixtures/openai, shaped after OpenAI's spec) show,
/// with the same JSON kinds, for every endpoint the connector reads; and its models route refuses the admin key.
/// </summary>
public sealed class FakeOpenAIShapeTests(FakeProviderFixture fixture) : IClassFixture<FakeProviderFixture>
{
    private const string Usage = "/v1/organization/usage/";

    [Theory]
    [InlineData("openai/usage-completions-page1.json", Usage + "completions?bucket_width=1h&limit=24&group_by=model&group_by=project_id&group_by=api_key_id&group_by=batch&group_by=service_tier")]
    [InlineData("openai/usage-embeddings.json", Usage + "embeddings?bucket_width=1h&limit=24&group_by=model&group_by=project_id&group_by=api_key_id")]
    [InlineData("openai/usage-moderations.json", Usage + "moderations?bucket_width=1h&limit=24&group_by=model&group_by=project_id&group_by=api_key_id")]
    [InlineData("openai/usage-images.json", Usage + "images?bucket_width=1h&limit=24&group_by=model&group_by=project_id&group_by=api_key_id")]
    [InlineData("openai/usage-audio-speeches.json", Usage + "audio_speeches?bucket_width=1h&limit=24&group_by=model&group_by=project_id&group_by=api_key_id")]
    [InlineData("openai/usage-audio-transcriptions.json", Usage + "audio_transcriptions?bucket_width=1h&limit=24&group_by=model")]
    [InlineData("openai/usage-web-search-calls.json", Usage + "web_search_calls?bucket_width=1h&limit=24&group_by=model&group_by=project_id")]
    [InlineData("openai/usage-file-search-calls.json", Usage + "file_search_calls?bucket_width=1h&limit=24&group_by=project_id&group_by=api_key_id")]
    [InlineData("openai/usage-code-interpreter-sessions.json", Usage + "code_interpreter_sessions?bucket_width=1h&limit=24&group_by=project_id")]
    [InlineData("openai/usage-vector-stores.json", Usage + "vector_stores?bucket_width=1d&limit=7&group_by=project_id")]
    [InlineData("openai/costs.json", "/v1/organization/costs?bucket_width=1d&limit=7&group_by=line_item&group_by=project_id&group_by=api_key_id")]
    [InlineData("openai/admin-api-keys-page1.json", "/v1/organization/admin_api_keys?limit=100")]
    [InlineData("openai/projects.json", "/v1/organization/projects?limit=100")]
    [InlineData("openai/project-api-keys-alpha.json", "/v1/organization/projects/proj_webapp/api_keys?limit=100&owner_project_access=any")]
    public async Task Endpoint_SendsOnlyTheFixturesFieldsAndKinds(string fixtureName, string pathAndQuery)
    {
        var start = fixture.Scenario.End.AddDays(-2).ToUnixTimeSeconds() / 86400 * 86400;
        var query = pathAndQuery.Contains("/usage/", StringComparison.Ordinal) || pathAndQuery.Contains("/costs", StringComparison.Ordinal)
            ? $"{pathAndQuery}&start_time={start}"
            : pathAndQuery;

        var body = await fixture.Client.GetStringAsync(fixture.OpenAI(query));

        JsonShape.AssertConforms(Fixture.Load(fixtureName).Body, body);
    }

    [Fact]
    public async Task Models_RefuseTheAdminKey_AnswerTheProjectKeyInTheFixturesShape()
    {
        using var admin = await fixture.Client.GetAsync(fixture.OpenAI("/v1/models"));
        using var request = new HttpRequestMessage(HttpMethod.Get, fixture.OpenAI("/v1/models"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", FakeOpenAIEndpoints.ProjectKeyOf(FakeProviderFixture.ApiKey));
        using var project = await fixture.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, admin.StatusCode);
        Assert.Equal(HttpStatusCode.OK, project.StatusCode);
        var body = await project.Content.ReadAsStringAsync();
        JsonShape.AssertConforms(Fixture.Load("openai/models.json").Body, body);
        Assert.Contains("gpt-4o-2024-05-13", body, StringComparison.Ordinal); // the deprecated model, with its shutdown date
    }

    [Fact]
    public async Task ProjectKeyOnTheAdministrationApi_IsRefused()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, fixture.OpenAI("/v1/organization/projects"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", FakeOpenAIEndpoints.ProjectKeyOf(FakeProviderFixture.ApiKey));

        using var response = await fixture.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
