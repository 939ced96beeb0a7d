using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Monitor.Demo;

/// <summary>
/// The Kilo Code side of <see cref="FakeProviderServer"/> (paths as below <c>https://api.kilo.ai</c>):
/// <c>/api/profile/balance</c> (the organisation's balance when <c>X-KiloCode-OrganizationId</c> is sent) and
/// <c>/api/profile/usage</c>: every day of the scenario's Kilo hours at once, newest first, per model, each day split
/// into two feature rows (about 70% <c>agent</c>, the rest <c>autocomplete</c>) that add up exactly.
/// <c>total_input_tokens</c> is uncached input only; <c>total_cost</c> is the day's cost in whole microdollars.
/// </summary>
internal static class FakeKiloEndpoints
{
    public const string OrganizationHeader = "X-KiloCode-OrganizationId";
    public const decimal PersonalBalance = 42.17m;
    public const decimal OrganizationBalance = 250.5m;

    public static IResult Unauthorized() =>
        Results.Json(new { success = false, error = "Invalid API token" }, FakeProviderServer.Json, statusCode: StatusCodes.Status401Unauthorized);

    public static void Map(RouteGroupBuilder group, DemoScenario scenario)
    {
        group.MapGet("/api/profile/balance", (HttpRequest request) => Results.Json(
            request.Headers[OrganizationHeader].ToString().Length > 0
                ? new Balance(OrganizationBalance, false)
                : new Balance(PersonalBalance, false),
            FakeProviderServer.Json));
        group.MapGet("/api/profile/usage", (HttpRequest request) => Usage(request, scenario));
    }

    private static IResult Usage(HttpRequest request, DemoScenario s)
    {
        if (request.Query["groupByModel"].ToString() != "true")
            return Results.Json(new { success = false, error = "Only groupByModel=true is served by this fake" }, FakeProviderServer.Json, statusCode: StatusCodes.Status400BadRequest);
        var rows = new List<UsageRow>();
        var days = s.Hours.Where(h => h.Provider == DemoScenario.Kilo)
            .GroupBy(h => (Day: h.HourStart.UtcDateTime.Date, h.Model))
            .OrderByDescending(g => g.Key.Day).ThenBy(g => g.Key.Model, StringComparer.Ordinal);
        foreach (var day in days)
        {
            var date = day.Key.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            var cost = (long)decimal.Round(day.Sum(s.CostOf) * 1_000_000m, 0, MidpointRounding.AwayFromZero);
            long requests = day.Sum(h => h.Requests), input = day.Sum(h => h.InputTokens), output = day.Sum(h => h.OutputTokens);
            long write = day.Sum(h => h.CacheWriteTokens), hit = day.Sum(h => h.CachedInputTokens);
            var agent = new UsageRow(date, day.Key.Model, "agent", Share(cost), Share(requests), Share(input), Share(output), Share(write), Share(hit));
            rows.Add(agent);
            rows.Add(new UsageRow(date, day.Key.Model, "autocomplete", cost - agent.TotalCost, requests - agent.RequestCount,
                input - agent.TotalInputTokens, output - agent.TotalOutputTokens, write - agent.TotalCacheWriteTokens, hit - agent.TotalCacheHitTokens));
        }

        return Results.Json(new UsageList(rows), FakeProviderServer.Json);
    }

    private static long Share(long total) => total * 7 / 10;

    // Kilo's app API is camelCase here; the usage rows are snake_case (SQL column aliases).
    private sealed record Balance(
        [property: JsonPropertyName("balance")] decimal Amount,
        [property: JsonPropertyName("isDepleted")] bool IsDepleted);

    private sealed record UsageList(IReadOnlyList<UsageRow> Usage);

    private sealed record UsageRow(
        string Date, string Model, string Feature, long TotalCost, long RequestCount, long TotalInputTokens,
        long TotalOutputTokens, long TotalCacheWriteTokens, long TotalCacheHitTokens);
}
