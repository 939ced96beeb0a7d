using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Monitor.Demo;

/// <summary>
/// One fake provider inside <see cref="FakeProviderServer"/>: its path prefix (<c>mistral</c> serves under
/// <c>/mistral</c>), how it checks the key (most use <c>Authorization: Bearer</c>; Anthropic uses <c>x-api-key</c>),
/// the body it answers a bad key with, and its routes.
/// </summary>
internal sealed record FakeProviderMount(
    string Prefix,
    Func<HttpRequest, string, bool> IsAuthorized,
    Func<IResult> Unauthorized,
    Action<RouteGroupBuilder, DemoScenario> Map)
{
    public static bool Bearer(HttpRequest request, string apiKey) =>
        FakeProviderServer.SameSecret(request.Headers.Authorization.ToString(), "Bearer " + apiKey);
}
