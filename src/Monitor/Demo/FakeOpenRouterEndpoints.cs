using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Monitor.Demo;

/// <summary>
/// The OpenRouter side of <see cref="FakeProviderServer"/> (paths as below <c>https://openrouter.ai/api</c>), in the
/// shapes of OpenRouterTeam/docs <c>openapi/openapi.yaml</c> (tests/Fixtures/openrouter): <c>/v1/key</c> (a management
/// key), <c>/v1/credits</c>, <c>/v1/workspaces</c> (the scenario's OpenRouter workspaces), <c>/v1/keys</c> (one key per
/// page, one workspace at a time: the default one unless <c>workspace_id</c> says otherwise, plus a disabled key of its
/// own that only <c>include_disabled=true</c> shows), <c>/v1/models</c> and <c>/v1/activity</c>: the scenario's hours per
/// completed UTC day of the last 30 before <see cref="DemoScenario.End"/>, per key and model, split over two endpoints
/// (even and odd hours) so that a client must sum them. The "Eval scripts" key's odd hours are bring-your-own-key calls:
/// <c>usage</c> is OpenRouter's 5% fee, <c>byok_usage_inference</c> the upstream cost. The unfiltered activity (no
/// <c>api_key_hash</c>) also holds <see cref="DeletedKeyRequestsPerDay"/> requests a day of a deleted key. Prompt tokens
/// are uncached, cached and cache-write input together.
/// </summary>
internal static class FakeOpenRouterEndpoints
{
    public const int KeysPerPage = 1;
    public const string DisabledKeyName = "Old prototype";
    public const decimal TotalCredits = 2500m;

    /// <summary>The models the fake lists: the scenario's two, the first with an expiration date.</summary>
    public const string ExpiringModel = "anthropic/claude-sonnet-4.5";

    /// <summary>The key whose odd-hour calls are bring-your-own-key.</summary>
    public const string ByokKeyName = "Eval scripts";

    /// <summary>The share of the upstream cost OpenRouter charges in credits for a BYOK call.</summary>
    public const decimal ByokFee = 0.05m;

    /// <summary>A deleted key's daily use, in the default workspace: only the unfiltered activity shows it.</summary>
    public const string DeletedKeyModel = "openai/gpt-4.1-mini";

    public const long DeletedKeyRequestsPerDay = 3;
    public const long DeletedKeyPromptTokensPerDay = 3000;
    public const long DeletedKeyCompletionTokensPerDay = 600;

    /// <summary>The deleted key's daily cost: 3000 x $0.40/M + 600 x $1.60/M.</summary>
    public const decimal DeletedKeyUsagePerDay = 0.00216m;

    public static IResult Unauthorized() =>
        Results.Json(new { error = new { code = 401, message = "No auth credentials found" } }, FakeProviderServer.Json, statusCode: StatusCodes.Status401Unauthorized);

    /// <summary>The hash of the fake's own disabled key (not part of the scenario; it has no usage).</summary>
    public static string DisabledKeyHash { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("openrouter key old prototype")));

    /// <summary>The first day <c>/v1/activity</c> serves; it serves up to the start of <see cref="DemoScenario.End"/>'s day.</summary>
    public static DateTimeOffset FirstActivityDay(DemoScenario s) => Today(s).AddDays(-30);

    public static DateTimeOffset Today(DemoScenario s) => new(s.End.UtcDateTime.Date, TimeSpan.Zero);

    /// <summary>The account's default workspace: the scenario's first OpenRouter workspace.</summary>
    public static string DefaultWorkspace(DemoScenario s) => s.Workspaces.First(w => w.Provider == DemoScenario.OpenRouter).Id;

    /// <summary>True for a scenario hour OpenRouter books as a bring-your-own-key call.</summary>
    public static bool IsByok(DemoScenario s, DemoUsageHour h) =>
        h.HourStart.Hour % 2 == 1 && s.Keys.Any(k => k.KeyId == h.KeyId && k.Name == ByokKeyName);

    public static void Map(RouteGroupBuilder group, DemoScenario scenario)
    {
        group.MapGet("/v1/key", () => Results.Json(new DataOf<CurrentKey>(CurrentKeyOf(scenario)), FakeProviderServer.Json));
        group.MapGet("/v1/credits", () => Results.Json(new DataOf<Credits>(CreditsOf(scenario)), FakeProviderServer.Json));
        group.MapGet("/v1/workspaces", (HttpRequest request) => Workspaces(request, scenario));
        group.MapGet("/v1/keys", (HttpRequest request) => Keys(request, scenario));
        group.MapGet("/v1/models", () => Results.Json(ModelsOf(scenario), FakeProviderServer.Json));
        group.MapGet("/v1/activity", (HttpRequest request) => Activity(request, scenario));
    }

    private static CurrentKey CurrentKeyOf(DemoScenario s) =>
        new(0, 0, 0, 0, "user_ivy_park", Iso(s.Now.AddDays(300)), false, false, true, true, "sk-or-v1-m9a...c07", null, null, null,
            0, 0, 0, 0);

    /// <summary>Credits spent: what the scenario's hours cost, BYOK hours at the fee only, and the deleted key's use.</summary>
    private static Credits CreditsOf(DemoScenario s) =>
        new(TotalCredits, decimal.Round(Units(s).Sum(u => u.Usage), 6));

    private static IResult Workspaces(HttpRequest request, DemoScenario s)
    {
        if (!TryInt(request, "offset", 0, 0, int.MaxValue, out var offset) || !TryInt(request, "limit", 50, 1, 100, out var limit))
            return Error(StatusCodes.Status400BadRequest, "Invalid offset or limit");
        var all = s.Workspaces.Where(w => w.Provider == DemoScenario.OpenRouter).ToList();
        var page = all.Skip(offset).Take(limit).Select(w => new Workspace(
            Iso(s.Start), "user_ivy_park", null, null, null, null, null, w.Id, false, null, 1, true, false, false, w.Name,
            w.Name.ToLowerInvariant(), null)).ToArray();
        return Results.Json(new WorkspaceList(page, all.Count), FakeProviderServer.Json);
    }

    private static IResult Keys(HttpRequest request, DemoScenario s)
    {
        if (!TryInt(request, "offset", 0, 0, int.MaxValue, out var offset))
            return Error(StatusCodes.Status400BadRequest, "Invalid offset: expected an integer >= 0");
        var includeDisabled = request.Query["include_disabled"].ToString() == "true";
        var workspace = request.Query["workspace_id"].ToString();
        if (workspace.Length == 0)
            workspace = DefaultWorkspace(s); // "By default, keys in the default workspace are returned"

        var keys = s.Keys.Where(k => k.Provider == DemoScenario.OpenRouter)
            .Select(k => KeyOf(s, k.KeyId, k.Name, k.RedactedValue, k.WorkspaceId!, k.CreatedAt, k.ExpiresAt, k.OwnerEmail, false))
            .Append(KeyOf(s, DisabledKeyHash, DisabledKeyName, "sk-or-v1-0d4...e7a", DefaultWorkspace(s), s.Now.AddDays(-200), null, "ivy.park@example.com", true))
            .Where(k => k.WorkspaceId == workspace && (includeDisabled || !k.Disabled))
            .Skip(offset).Take(KeysPerPage)
            .ToArray();
        return Results.Json(new DataOf<ApiKey[]>(keys), FakeProviderServer.Json);
    }

    private static ApiKey KeyOf(
        DemoScenario s, string hash, string name, string label, string workspace, DateTimeOffset created, DateTimeOffset? expires,
        string owner, bool disabled)
    {
        var mine = Units(s).Where(u => u.KeyHash == hash).ToList();
        var today = Today(s);
        var monthStart = new DateTimeOffset(today.Year, today.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var weekStart = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        decimal Since(DateTimeOffset t, Func<Unit, decimal> money) => decimal.Round(mine.Where(u => u.Hour >= t).Sum(money), 6);
        var created0 = new DateTimeOffset(created.Year, created.Month, created.Day, created.Hour, 0, 0, TimeSpan.Zero);
        return new ApiKey(
            Since(DateTimeOffset.MinValue, u => u.Byok), Since(today, u => u.Byok), Since(monthStart, u => u.Byok), Since(weekStart, u => u.Byok),
            Iso(created0), "user_" + owner.Split('@')[0].Replace('.', '_'), disabled, expires is { } e ? Iso(e) : null, hash, false, label,
            null, null, null, name, Iso(created0.AddDays(1)),
            Since(DateTimeOffset.MinValue, u => u.Usage), Since(today, u => u.Usage), Since(monthStart, u => u.Usage), Since(weekStart, u => u.Usage),
            workspace);
    }

    private static ModelList ModelsOf(DemoScenario s)
    {
        var created = s.End.AddDays(-400).ToUnixTimeSeconds();
        var expiration = s.Now.AddDays(40).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var models = s.Prices.Where(p => p.Provider == DemoScenario.OpenRouter)
            .Select(p => new Model(
                p.Model, PermaslugOf(p.Model), 200_000, created, p.Model == ExpiringModel ? expiration : null, p.Model,
                new ModelLinks($"/api/v1/models/{p.Model}/endpoints"), p.Model,
                new Pricing(PerToken(p.OutputPerMillion), "0", PerToken(p.CachedInputPerMillion), PerToken(p.InputPerMillion), "0")))
            .ToArray();
        return new ModelList(models, new ListLinks(null), models.Length);
    }

    private static IResult Activity(HttpRequest request, DemoScenario s)
    {
        var hash = request.Query["api_key_hash"].ToString();
        if (hash.Length > 0 && !(hash.Length == 64 && hash.All(char.IsAsciiHexDigit)))
            return Error(StatusCodes.Status400BadRequest, "Invalid api_key_hash: expected a SHA-256 hex string");
        var workspace = request.Query["workspace_id"].ToString();
        var byWorkspace = request.Query["group_by"].ToString() switch
        {
            "" => false,
            "workspace" => true,
            _ => (bool?)null,
        };
        if (byWorkspace is null)
            return Error(StatusCodes.Status400BadRequest, "Invalid group_by: expected 'workspace'");
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

        var rows = Units(s)
            .Where(u => u.Hour >= first && u.Hour < end && (hash.Length == 0 || u.KeyHash == hash) && (workspace.Length == 0 || u.Workspace == workspace))
            .GroupBy(u => (Day: new DateTimeOffset(u.Hour.UtcDateTime.Date, TimeSpan.Zero), u.Model, u.Endpoint, Workspace: byWorkspace.Value ? u.Workspace : null))
            .OrderByDescending(g => g.Key.Day).ThenBy(g => g.Key.Model, StringComparer.Ordinal).ThenBy(g => g.Key.Endpoint).ThenBy(g => g.Key.Workspace, StringComparer.Ordinal)
            .Select(g => new ActivityRow(
                g.Sum(u => u.Byok),
                g.Sum(u => u.CompletionTokens),
                g.Key.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                EndpointId(g.Key.Model, g.Key.Endpoint),
                g.Key.Model,
                PermaslugOf(g.Key.Model),
                g.Sum(u => u.PromptTokens),
                ProviderName(g.Key.Model, g.Key.Endpoint),
                g.Sum(u => u.ReasoningTokens),
                g.Sum(u => u.Requests),
                g.Sum(u => u.Usage),
                g.Key.Workspace))
            .ToArray();
        return Results.Json(new DataOf<ActivityRow[]>(rows), FakeProviderServer.Json);
    }

    /// <summary>
    /// What OpenRouter books, hour by hour: the scenario's hours (per key; BYOK hours at the fee in credits and the full
    /// cost upstream), and the deleted key's daily use at noon (no key hash: only the unfiltered activity shows it).
    /// </summary>
    internal static IEnumerable<Unit> Units(DemoScenario s)
    {
        foreach (var h in s.Hours.Where(h => h.Provider == DemoScenario.OpenRouter))
        {
            var cost = s.CostOf(h);
            var byok = IsByok(s, h);
            yield return new Unit(
                h.HourStart, h.Workspace, h.KeyId, h.Model, h.HourStart.Hour % 2, h.Requests,
                h.InputTokens + h.CachedInputTokens + h.CacheWriteTokens, h.OutputTokens, h.ReasoningTokens,
                byok ? cost * ByokFee : cost, byok ? cost : 0m);
        }

        for (var day = FirstActivityDay(s); day < Today(s); day = day.AddDays(1))
        {
            yield return new Unit(
                day.AddHours(12), DefaultWorkspace(s), null, DeletedKeyModel, 0, DeletedKeyRequestsPerDay,
                DeletedKeyPromptTokensPerDay, DeletedKeyCompletionTokensPerDay, 0, DeletedKeyUsagePerDay, 0m);
        }
    }

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

    private static bool TryInt(HttpRequest request, string name, int fallback, int min, int max, out int value)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0)
        {
            value = fallback;
            return true;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
    }

    private static IResult Error(int status, string message) =>
        Results.Json(new { error = new { code = status, message } }, FakeProviderServer.Json, statusCode: status);

    private static string Iso(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>One hour of booked use; <see cref="KeyHash"/> is null for a deleted key.</summary>
    internal sealed record Unit(
        DateTimeOffset Hour, string Workspace, string? KeyHash, string Model, int Endpoint, long Requests, long PromptTokens,
        long CompletionTokens, long ReasoningTokens, decimal Usage, decimal Byok);

    // The wire records, in the spec's field names (snake_case through FakeProviderServer.Json) and the fixtures' order.
    private sealed record DataOf<T>(T Data);

    private sealed record CurrentKey(
        decimal ByokUsage, decimal ByokUsageDaily, decimal ByokUsageMonthly, decimal ByokUsageWeekly, string? CreatorUserId,
        string? ExpiresAt, bool IncludeByokInLimit, bool IsFreeTier, bool IsManagementKey, bool IsProvisioningKey, string Label,
        decimal? Limit, decimal? LimitRemaining, string? LimitReset, decimal Usage, decimal UsageDaily, decimal UsageMonthly, decimal UsageWeekly);

    private sealed record Credits(decimal TotalCredits, decimal TotalUsage);

    private sealed record WorkspaceList(IReadOnlyList<Workspace> Data, int TotalCount);

    private sealed record Workspace(
        string CreatedAt, string CreatedBy, string? DefaultGuardrailId, string? DefaultImageModel, string? DefaultProviderSort,
        string? DefaultTextModel, string? Description, string Id, bool IncludeByokInBudgets, string[]? IoLoggingApiKeyIds,
        int IoLoggingSamplingRate, bool IsDataDiscountLoggingEnabled, bool IsObservabilityBroadcastEnabled,
        bool IsObservabilityIoLoggingEnabled, string Name, string Slug, string? UpdatedAt);

    private sealed record ApiKey(
        decimal ByokUsage, decimal ByokUsageDaily, decimal ByokUsageMonthly, decimal ByokUsageWeekly, string CreatedAt,
        string CreatorUserId, bool Disabled, string? ExpiresAt, string Hash, bool IncludeByokInLimit, string Label, decimal? Limit,
        decimal? LimitRemaining, string? LimitReset, string Name, string? UpdatedAt, decimal Usage, decimal UsageDaily,
        decimal UsageMonthly, decimal UsageWeekly, string WorkspaceId);

    private sealed record ModelList(IReadOnlyList<Model> Data, ListLinks Links, int TotalCount);

    private sealed record Model(
        string Id, string CanonicalSlug, int ContextLength, long Created, string? ExpirationDate, string Description, ModelLinks Links,
        string Name, Pricing Pricing);

    private sealed record ModelLinks(string Details);

    private sealed record ListLinks(string? Next);

    private sealed record Pricing(string Completion, string Image, string InputCacheRead, string Prompt, string Request);

    private sealed record ActivityRow(
        decimal ByokUsageInference, long CompletionTokens, string Date, string EndpointId, string Model, string ModelPermaslug,
        long PromptTokens, string ProviderName, long ReasoningTokens, long Requests, decimal Usage,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? WorkspaceId); // only with group_by=workspace
}
