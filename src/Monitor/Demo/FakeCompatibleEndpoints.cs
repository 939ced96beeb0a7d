using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Monitor.Demo;

/// <summary>
/// An OpenAI-compatible server in <see cref="FakeProviderServer"/> (as Mistral's OpenAI-compatible endpoint or a vLLM
/// gateway would answer): only <c>/v1/models</c> in OpenAI's model format, one model with a <c>shutdown_date</c>.
/// </summary>
internal static class FakeCompatibleEndpoints
{
    public const string Retiring = "open-mixtral-8x22b";

    public static IResult Unauthorized() =>
        Results.Json(new { error = new { message = "Incorrect API key provided", type = "invalid_request_error", param = (string?)null, code = "invalid_api_key" } },
            FakeProviderServer.Json, statusCode: StatusCodes.Status401Unauthorized);

    public static void Map(RouteGroupBuilder group, DemoScenario scenario) =>
        group.MapGet("/v1/models", () => Results.Json(Models(scenario), FakeProviderServer.Json));

    private static ModelList Models(DemoScenario s)
    {
        var created = s.Start.ToUnixTimeSeconds();
        return new ModelList("list",
        [
            new("mistral-small-latest", "model", created, "mistralai", null),
            new("codestral-latest", "model", created, "mistralai", null),
            new(Retiring, "model", created, "mistralai", s.Now.AddDays(30).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        ]);
    }

    private sealed record ModelList(string Object, IReadOnlyList<OpenAIModel> Data);

    private sealed record OpenAIModel(string Id, string Object, long Created, string OwnedBy, string? ShutdownDate);
}
