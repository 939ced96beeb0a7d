using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Monitor.Demo;

/// <summary>
/// The Kilo Code side of <see cref="FakeProviderServer"/> (paths as below <c>https://api.kilo.ai</c>), in the shapes of
/// Kilo-Org/cloud's routes (tests/Fixtures/kilo): <c>/api/profile/balance</c> (with <c>X-KiloCode-OrganizationId</c>
/// the member's daily allowance, else the personal balance) and <c>/api/profile/usage?groupByModel=true</c>: every day
/// of the scenario's Kilo hours at once, newest first, one row per day and model, as route.ts selects them.
/// <c>viewType</c> is honoured: <c>personal</c> (the default) is the scenario's even UTC hours, the organisation
/// <see cref="OrganizationId"/> its odd hours, <c>all</c> both, any other organisation nothing. <c>total_input_tokens</c>
/// includes the cache hits (Kilo sums prompt tokens); cache writes are 0; <c>total_cost</c> is the sum of whole
/// microdollars booked per request (here per hour).
/// </summary>
internal static class FakeKiloEndpoints
{
    public const string OrganizationHeader = "X-KiloCode-OrganizationId";
    public const string OrganizationId = "5b0c8a52-2f5e-4a8e-9d43-3c1f0e6a7b21";
    public const decimal PersonalBalance = 42.17m;

    /// <summary>The member's remaining daily allowance in the organisation (capped at the organisation's balance).</summary>
    public const decimal MemberAllowance = 12.5m;

    public static IResult Unauthorized() =>
        Results.Json(new { success = false, error = "Invalid API token" }, FakeProviderServer.Json, statusCode: StatusCodes.Status401Unauthorized);

    /// <summary>Whether a scenario hour is in the usage <paramref name="viewType"/> shows.</summary>
    public static bool InView(DemoUsageHour hour, string viewType) => viewType switch
    {
        "personal" or "" => hour.HourStart.Hour % 2 == 0,
        "all" => true,
        OrganizationId => hour.HourStart.Hour % 2 == 1,
        _ => false,
    };

    public static void Map(RouteGroupBuilder group, DemoScenario scenario)
    {
        group.MapGet("/api/profile/balance", (HttpRequest request) => Results.Json(
            request.Headers[OrganizationHeader].ToString().Length > 0
                ? new Balance(MemberAllowance, false)
                : new Balance(PersonalBalance, false),
            FakeProviderServer.Json));
        group.MapGet("/api/profile/usage", (HttpRequest request) => Usage(request, scenario));
    }

    private static IResult Usage(HttpRequest request, DemoScenario s)
    {
        if (request.Query["groupByModel"].ToString() != "true")
            return Results.Json(new { success = false, error = "Only groupByModel=true is served by this fake" }, FakeProviderServer.Json, statusCode: StatusCodes.Status400BadRequest);
        var view = request.Query["viewType"].ToString();
        var rows = s.Hours.Where(h => h.Provider == DemoScenario.Kilo && InView(h, view))
            .GroupBy(h => (Day: h.HourStart.UtcDateTime.Date, h.Model))
            .OrderByDescending(g => g.Key.Day).ThenBy(g => g.Key.Model, StringComparer.Ordinal)
            .Select(day => new UsageRow(
                day.Key.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                day.Key.Model,
                day.Sum(h => (long)decimal.Round(s.CostOf(h) * 1_000_000m, 0, MidpointRounding.AwayFromZero)), // booked per request in whole µ$
                day.Sum(h => h.Requests),
                day.Sum(h => h.InputTokens + h.CachedInputTokens + h.CacheWriteTokens), // SUM(prompt_tokens): hits (and writes) included
                day.Sum(h => h.OutputTokens),
                0, // processUsage.ts books no cache writes
                day.Sum(h => h.CachedInputTokens)))
            .ToList();
        return Results.Json(new UsageList(rows), FakeProviderServer.Json);
    }

    // balance/route.ts answers camelCase; the usage rows are the SQL column aliases (snake_case).
    private sealed record Balance(
        [property: JsonPropertyName("balance")] decimal Amount,
        [property: JsonPropertyName("isDepleted")] bool IsDepleted);

    private sealed record UsageList(IReadOnlyList<UsageRow> Usage);

    private sealed record UsageRow(
        string Date, string Model, long TotalCost, long RequestCount, long TotalInputTokens, long TotalOutputTokens,
        long TotalCacheWriteTokens, long TotalCacheHitTokens);
}
