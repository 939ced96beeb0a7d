using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Monitor.Demo;

/// <summary>
/// The OpenRouter side of <see cref="FakeProviderServer"/> (paths as below <c>https://openrouter.ai/api</c>):
/// <c>/v1/key</c> (a management key), <c>/v1/credits</c>, <c>/v1/keys</c> (one key per page, plus a disabled key
/// of its own that only <c>include_disabled=true</c> shows), <c>/v1/models</c> and <c>/v1/activity</c>: the
/// scenario's hours per completed UTC day of the last 30 before <see cref="DemoScenario.End"/>, per key and model,
/// split over two endpoints (even and odd hours) so that a client must sum them. Prompt tokens are uncached, cached
/// and cache-write input together; <c>usage</c> is the exact cost of the hours.
/// </summary>
internal static class FakeOpenRouterEndpoints
{
    public const int KeysPerPage = 1;
    public const string DisabledKeyName = "Old prototype";
    public const decimal TotalCredits = 2500m;

    /// <summary>The models the fake lists: the scenario's two, the first with an expiration date.</summary>
    public const string ExpiringModel = "anthropic/claude-sonnet-4.5";

    public static IResult Unauthorized() =>
        Results.Json(new { error = new { code = 401, message = "No auth credentials found" } }, FakeProviderServer.Json, statusCode: StatusCodes.Status401Unauthorized);

    /// <summary>The hash of the fake's own disabled key (not part of the scenario; it has no usage).</summary>
    public static string DisabledKeyHash { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("openrouter key old prototype")));

    /// <summary>The first day <c>/v1/activity</c> serves; it serves up to the start of <see cref="DemoScenario.End"/>'s day.</summary>
    public static DateTimeOffset FirstActivityDay(DemoScenario s) => Today(s).AddDays(-30);

    public static DateTimeOffset Today(DemoScenario s) => new(s.End.UtcDateTime.Date, TimeSpan.Zero);

    public static void Map(RouteGroupBuilder group, DemoScenario scenario)
    {
        group.MapGet("/v1/key", () => Results.Json(new DataOf<CurrentKey>(CurrentKeyOf(scenario)), FakeProviderServer.Json));
        group.MapGet("/v1/credits", () => Results.Json(new DataOf<Credits>(CreditsOf(scenario)), FakeProviderServer.Json));
        group.MapGet("/v1/keys", (HttpRequest request) => Keys(request, scenario));
        group.MapGet("/v1/models", () => Results.Json(ModelsOf(scenario), FakeProviderServer.Json));
        group.MapGet("/v1/activity", (HttpRequest request) => Activity(request, scenario));
    }

    private static CurrentKey CurrentKeyOf(DemoScenario s) =>
        new("sk-or-v1-m9a...c07", null, null, null, false, 0, 0, 0, 0, 0, 0, 0, 0, false, true, true, "user_ivy_park",
            Iso(s.Now.AddDays(300)));

    private static Credits CreditsOf(DemoScenario s) =>
        new(TotalCredits, decimal.Round(Hours(s).Sum(s.CostOf), 6));

    private static IResult Keys(HttpRequest request, DemoScenario s)
    {
        var offsetText = request.Query["offset"].ToString();
        var offset = 0;
        if (offsetText.Length > 0 && (!int.TryParse(offsetText, NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset < 0))
            return Error(StatusCodes.Status400BadRequest, "Invalid offset: expected an integer >= 0");
        var includeDisabled = request.Query["include_disabled"].ToString() == "true";

        var workspace = s.Workspaces.Single(w => w.Provider == DemoScenario.OpenRouter).Id;
        var keys = s.Keys.Where(k => k.Provider == DemoScenario.OpenRouter)
            .Select(k => KeyOf(s, k.KeyId, k.Name, k.RedactedValue, k.WorkspaceId, k.CreatedAt, k.ExpiresAt, k.OwnerEmail, false))
            .Append(KeyOf(s, DisabledKeyHash, DisabledKeyName, "sk-or-v1-0d4...e7a", workspace, s.Now.AddDays(-200), null, "ivy.park@example.com", true))
            .Where(k => includeDisabled || !k.Disabled)
            .Skip(offset).Take(KeysPerPage)
            .ToArray();
        return Results.Json(new DataOf<ApiKey[]>(keys), FakeProviderServer.Json);
    }

    private static ApiKey KeyOf(
        DemoScenario s, string hash, string name, string label, string? workspace, DateTimeOffset created, DateTimeOffset? expires,
        string owner, bool disabled)
    {
        var mine = Hours(s).Where(h => h.KeyId == hash).ToList();
        var today = Today(s);
        var monthStart = new DateTimeOffset(today.Year, today.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var weekStart = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        decimal Since(DateTimeOffset t) => decimal.Round(mine.Where(h => h.HourStart >= t).Sum(s.CostOf), 6);
        var created0 = new DateTimeOffset(created.Year, created.Month, created.Day, created.Hour, 0, 0, TimeSpan.Zero);
        return new ApiKey(
            hash, name, label, disabled, null, null, null, false,
            Since(DateTimeOffset.MinValue), Since(today), Since(weekStart), Since(monthStart), 0, 0, 0, 0,
            Iso(created0), Iso(created0.AddDays(1)), expires is { } e ? Iso(e) : null,
            "user_" + owner.Split('@')[0].Replace('.', '_'), workspace);
    }

    private static ModelList ModelsOf(DemoScenario s)
    {
        var created = s.End.AddDays(-400).ToUnixTimeSeconds();
        var expiration = s.Now.AddDays(40).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var models = s.Prices.Where(p => p.Provider == DemoScenario.OpenRouter)
            .Select(p => new Model(
                p.Model, PermaslugOf(p.Model), p.Model, created, 200_000,
                new Pricing(PerToken(p.InputPerMillion), PerToken(p.OutputPerMillion), "0", PerToken(p.CachedInputPerMillion)),
                p.Model == ExpiringModel ? expiration : null))
            .ToArray();
        return new ModelList(models, models.Length);
    }

    private static IResult Activity(HttpRequest request, DemoScenario s)
    {
        var hash = request.Query["api_key_hash"].ToString();
        if (hash.Length > 0 && !(hash.Length == 64 && hash.All(char.IsAsciiHexDigit)))
            return Error(StatusCodes.Status400BadRequest, "Invalid api_key_hash: expected a SHA-256 hex string");
        var first = FirstActivityDay(s);
        var end = Today(s);
        var dateText = request.Query["date"].ToString();
        if (dateText.Length > 0)
        {
            if (!DateTime.TryParseExact(dateText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                return Error(StatusCodes.Status400BadRequest, "Invalid date: expected YYYY-MM-DD");
            var day = new DateTimeOffset(date, TimeSpan.Zero);
            if (day < first || day >= end)
                return Error(StatusCodes.Status400BadRequest, "Date must be within the last 30 (completed) UTC days");
            (first, end) = (day, day.AddDays(1));
        }

        var rows = Hours(s)
            .Where(h => h.HourStart >= first && h.HourStart < end && (hash.Length == 0 || h.KeyId == hash))
            .GroupBy(h => (Day: new DateTimeOffset(h.HourStart.UtcDateTime.Date, TimeSpan.Zero), h.Model, Endpoint: h.HourStart.Hour % 2))
            .OrderByDescending(g => g.Key.Day).ThenBy(g => g.Key.Model, StringComparer.Ordinal).ThenBy(g => g.Key.Endpoint)
            .Select(g => new ActivityRow(
                g.Key.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                g.Key.Model,
                PermaslugOf(g.Key.Model),
                EndpointId(g.Key.Model, g.Key.Endpoint),
                ProviderName(g.Key.Model, g.Key.Endpoint),
                g.Sum(h => h.Requests),
                g.Sum(h => h.InputTokens + h.CachedInputTokens + h.CacheWriteTokens),
                g.Sum(h => h.OutputTokens),
                g.Sum(h => h.ReasoningTokens),
                g.Sum(s.CostOf),
                0m))
            .ToArray();
        return Results.Json(new DataOf<ActivityRow[]>(rows), FakeProviderServer.Json);
    }

    private static IEnumerable<DemoUsageHour> Hours(DemoScenario s) => s.Hours.Where(h => h.Provider == DemoScenario.OpenRouter);

    private static string PermaslugOf(string model) => model + "-20250929";

    private static string ProviderName(string model, int endpoint) => (model.Split('/')[0], endpoint) switch
    {
        ("anthropic", 0) => "Anthropic",
        ("anthropic", _) => "Amazon Bedrock",
        ("openai", 0) => "OpenAI",
        _ => "Azure",
    };

    private static string EndpointId(string model, int endpoint)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"openrouter endpoint {model} {endpoint}"))[..16];
        return new Guid(bytes, bigEndian: true).ToString();
    }

    private static string PerToken(decimal perMillion) =>
        (perMillion / 1_000_000m).ToString("0.##############", CultureInfo.InvariantCulture);

    private static IResult Error(int status, string message) =>
        Results.Json(new { error = new { code = status, message } }, FakeProviderServer.Json, statusCode: status);

    private static string Iso(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private sealed record DataOf<T>(T Data);

    private sealed record CurrentKey(
        string Label, decimal? Limit, decimal? LimitRemaining, string? LimitReset, bool IncludeByokInLimit,
        decimal Usage, decimal UsageDaily, decimal UsageWeekly, decimal UsageMonthly,
        decimal ByokUsage, decimal ByokUsageDaily, decimal ByokUsageWeekly, decimal ByokUsageMonthly,
        bool IsFreeTier, bool IsManagementKey, bool IsProvisioningKey, string? CreatorUserId, string? ExpiresAt);

    private sealed record Credits(decimal TotalCredits, decimal TotalUsage);

    private sealed record ApiKey(
        string Hash, string Name, string Label, bool Disabled, decimal? Limit, decimal? LimitRemaining, string? LimitReset,
        bool IncludeByokInLimit, decimal Usage, decimal UsageDaily, decimal UsageWeekly, decimal UsageMonthly,
        decimal ByokUsage, decimal ByokUsageDaily, decimal ByokUsageWeekly, decimal ByokUsageMonthly,
        string CreatedAt, string? UpdatedAt, string? ExpiresAt, string CreatorUserId, string? WorkspaceId);

    private sealed record ModelList(IReadOnlyList<Model> Data, int TotalCount);

    private sealed record Model(
        string Id, string CanonicalSlug, string Name, long Created, int ContextLength, Pricing Pricing, string? ExpirationDate);

    private sealed record Pricing(string Prompt, string Completion, string Request, string InputCacheRead);

    private sealed record ActivityRow(
        string Date, string Model, string ModelPermaslug, string EndpointId, string ProviderName, long Requests,
        long PromptTokens, long CompletionTokens, long ReasoningTokens, decimal Usage, decimal ByokUsageInference);
}
