using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Monitor.Demo;

/// <summary>
/// The Codestral domain (<c>codestral.mistral.ai</c>) in <see cref="FakeProviderServer"/>: only <c>/v1/models</c>, in
/// Mistral's model-card format (the same cards as the Mistral fake), behind its own key.
/// </summary>
internal static class FakeCodestralEndpoints
{
    public static IResult Unauthorized() =>
        Results.Json(new { message = "Unauthorized", request_id = "5f0c7bd4a1e24a2c9a6f3e2d1b0c9a87" }, FakeProviderServer.Json,
            statusCode: StatusCodes.Status401Unauthorized);

    public static void Map(RouteGroupBuilder group, DemoScenario scenario) =>
        group.MapGet("/v1/models", () => FakeMistralEndpoints.ModelsResult(scenario));
}
