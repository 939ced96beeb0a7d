using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Monitor.Demo;

/// <summary>
/// The Anthropic side of <see cref="FakeProviderServer"/>: the Admin API's messages usage report (1m/1h/1d buckets,
/// <c>group_by[]</c>, filters, <c>next_page</c> cursor), the daily cost report (amounts as decimal strings in cents,
/// split by token type when grouped by description) and the API key listing (<c>after_id</c> paging). Every route
/// wants <c>x-api-key</c> and <c>anthropic-version</c>, and errors come in Anthropic's envelope.
/// </summary>
internal static class FakeAnthropicEndpoints
{
    public const string Version = "2023-06-01";

    private static readonly string[] UsageGroups =
        ["api_key_id", "workspace_id", "model", "service_tier", "context_window", "inference_geo", "speed", "account_id", "service_account_id"];

    private static readonly string[] CostGroups = ["workspace_id", "description"];

    private static readonly Dictionary<string, (TimeSpan Width, int DefaultLimit, int MaxLimit)> Widths = new(StringComparer.Ordinal)
    {
        ["1m"] = (TimeSpan.FromMinutes(1), 60, 1440),
        ["1h"] = (TimeSpan.FromHours(1), 24, 168),
        ["1d"] = (TimeSpan.FromDays(1), 7, 31),
    };

    public static bool IsAuthorized(HttpRequest request, string apiKey) =>
        FakeProviderServer.SameSecret(request.Headers["x-api-key"].ToString(), apiKey);

    public static IResult Unauthorized() => Error(StatusCodes.Status401Unauthorized, "authentication_error", "invalid x-api-key");

    public static void Map(RouteGroupBuilder group, DemoScenario scenario)
    {
        var data = new Data(scenario);
        group.MapGet("/v1/organizations/usage_report/messages", (HttpRequest request) => Guard(request) ?? Usage(request, data));
        group.MapGet("/v1/organizations/cost_report", (HttpRequest request) => Guard(request) ?? Costs(request, data));
        group.MapGet("/v1/organizations/api_keys", (HttpRequest request) => Guard(request) ?? Keys(request, data));
    }

    private static IResult? Guard(HttpRequest request) =>
        request.Headers["anthropic-version"].ToString().Length == 0
            ? Invalid("anthropic-version: header is required")
            : null;

    private static IResult Usage(HttpRequest request, Data data)
    {
        var widthText = request.Query["bucket_width"].ToString();
        if (widthText.Length == 0)
            widthText = "1d";
        if (!Widths.TryGetValue(widthText, out var width))
            return Invalid($"bucket_width: Input should be '1d', '1h' or '1m' (got '{widthText}')");
        if (!TryWindow(request, data.Scenario, width.Width, width.DefaultLimit, width.MaxLimit, out var window, out var error))
            return error!;
        var groups = Values(request, "group_by");
        if (groups.FirstOrDefault(g => !UsageGroups.Contains(g)) is { } bad)
            return Invalid($"group_by: Input should be one of {string.Join(", ", UsageGroups)} (got '{bad}')");

        var filter = Filter(request);
        var buckets = window.Starts.Select(start =>
        {
            var results = data.HoursIn(start, start + width.Width, window.From, window.To)
                .Where(filter)
                .GroupBy(h => new GroupKey(
                    groups.Contains("api_key_id") ? h.KeyId : null,
                    groups.Contains("workspace_id") ? NullIfDefault(h.Workspace) : null,
                    groups.Contains("model") ? h.Model : null,
                    groups.Contains("service_tier") ? TierOf(h) : null,
                    groups.Contains("context_window") ? "0-200k" : null,
                    groups.Contains("inference_geo") ? "global" : null))
                .OrderBy(g => g.Key.ToString(), StringComparer.Ordinal)
                .Select(g => (object)ToUsageRow(g.Key, g))
                .ToArray();
            return new Bucket(Rfc3339(start), Rfc3339(start + width.Width), results);
        }).ToArray();
        return Results.Json(new Page(buckets, window.NextPage is not null, window.NextPage), FakeProviderServer.Json);
    }

    private static IResult Costs(HttpRequest request, Data data)
    {
        var widthText = request.Query["bucket_width"].ToString();
        if (widthText.Length > 0 && widthText != "1d")
            return Invalid($"bucket_width: Input should be '1d' (got '{widthText}')");
        var day = TimeSpan.FromDays(1);
        if (!TryWindow(request, data.Scenario, day, 7, 31, out var window, out var error))
            return error!;
        var groups = Values(request, "group_by");
        if (groups.FirstOrDefault(g => !CostGroups.Contains(g)) is { } bad)
            return Invalid($"group_by: Input should be 'workspace_id' or 'description' (got '{bad}')");

        var byDescription = groups.Contains("description");
        var byWorkspace = groups.Contains("workspace_id");
        var buckets = window.Starts.Select(start =>
        {
            var results = data.HoursIn(start, start + day, window.From, window.To)
                .SelectMany(h => CostLines(data.Scenario, h))
                .Where(l => l.Tokens > 0)
                .GroupBy(l => new CostGroup(
                    byWorkspace ? NullIfDefault(l.Hour.Workspace) : null,
                    byDescription ? l.Hour.Model : null,
                    byDescription ? l.TokenType : null,
                    byDescription ? TierOf(l.Hour) : null))
                .OrderBy(g => g.Key.ToString(), StringComparer.Ordinal)
                .Select(g => (object)new CostRow(
                    "USD", Cents(g.Sum(l => l.Amount)), g.Key.WorkspaceId,
                    byDescription ? Describe(g.Key.Model!, g.Key.TokenType!, g.Key.ServiceTier!) : null,
                    byDescription ? "tokens" : null, byDescription ? "0-200k" : null, g.Key.Model, g.Key.ServiceTier,
                    g.Key.TokenType))
                .ToArray();
            return new Bucket(Rfc3339(start), Rfc3339(start + day), results);
        }).ToArray();
        return Results.Json(new Page(buckets, window.NextPage is not null, window.NextPage), FakeProviderServer.Json);
    }

    private static IResult Keys(HttpRequest request, Data data)
    {
        var limit = 20;
        var limitText = request.Query["limit"].ToString();
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.Integer, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > 1000))
            return Invalid($"limit: Input should be between 1 and 1000 (got '{limitText}')");
        var s = data.Scenario;
        var status = request.Query["status"].ToString();
        var workspace = request.Query["workspace_id"].ToString();
        var keys = s.Keys.Where(k => k.Provider == DemoScenario.Anthropic)
            .Select(k => (Key: k, Status: k.ExpiresAt is { } e && e <= s.Now ? "expired" : "active"))
            .Where(k => (status.Length == 0 || k.Status == status) && (workspace.Length == 0 || k.Key.WorkspaceId == workspace))
            .OrderByDescending(k => k.Key.CreatedAt)
            .ToList();

        var skip = 0;
        var after = request.Query["after_id"].ToString();
        if (after.Length > 0)
        {
            var index = keys.FindIndex(k => k.Key.KeyId == after);
            if (index < 0)
                return Error(StatusCodes.Status404NotFound, "not_found_error", $"No API key with id '{after}'");
            skip = index + 1;
        }

        var page = keys.Skip(skip).Take(limit).ToList();
        var items = page.Select(k => (object)new ApiKey(
            "api_key", k.Key.KeyId, k.Key.Name, Rfc3339(k.Key.CreatedAt), new Actor(UserOf(k.Key.OwnerEmail), "user"),
            k.Key.ExpiresAt is { } e ? Rfc3339(e) : null, k.Key.RedactedValue, k.Status, NullIfDefault(k.Key.WorkspaceId))).ToArray();
        return Results.Json(
            new KeyList(items, page.Count > 0 ? page[0].Key.KeyId : null, page.Count > 0 ? page[^1].Key.KeyId : null, skip + page.Count < keys.Count),
            FakeProviderServer.Json);
    }

    /// <summary>One hour's cost by token type, at the demo's prices (batch at half), splitting cache writes by TTL.</summary>
    private static IEnumerable<CostLine> CostLines(DemoScenario s, DemoUsageHour h)
    {
        var price = s.PriceOf(h.Provider, h.Model);
        var (oneHour, fiveMinutes) = CacheWriteSplit(h);
        var factor = h.Batch ? 0.5m : 1m;
        yield return new(h, "uncached_input_tokens", h.InputTokens, price.InputCost(h.InputTokens) * factor);
        yield return new(h, "cache_read_input_tokens", h.CachedInputTokens, price.CachedInputCost(h.CachedInputTokens) * factor);
        yield return new(h, "cache_creation.ephemeral_1h_input_tokens", oneHour, price.CacheWriteCost(oneHour) * factor);
        yield return new(h, "cache_creation.ephemeral_5m_input_tokens", fiveMinutes, price.CacheWriteCost(fiveMinutes) * factor);
        yield return new(h, "output_tokens", h.OutputTokens, price.OutputCost(h.OutputTokens) * factor);
    }

    /// <summary>A quarter of the cache writes use the 1-hour TTL, the rest the 5-minute one.</summary>
    private static (long OneHour, long FiveMinutes) CacheWriteSplit(DemoUsageHour h) => (h.CacheWriteTokens / 4, h.CacheWriteTokens - h.CacheWriteTokens / 4);

    private static UsageRow ToUsageRow(GroupKey key, IEnumerable<DemoUsageHour> hours)
    {
        long uncached = 0, cacheRead = 0, oneHour = 0, fiveMinutes = 0, output = 0;
        foreach (var h in hours)
        {
            var (w1, w5) = CacheWriteSplit(h);
            uncached += h.InputTokens;
            cacheRead += h.CachedInputTokens;
            oneHour += w1;
            fiveMinutes += w5;
            output += h.OutputTokens;
        }

        return new UsageRow(
            uncached, new CacheCreation(oneHour, fiveMinutes), cacheRead, output, new ServerToolUse(0),
            key.ApiKeyId, key.WorkspaceId, key.Model, key.ServiceTier, key.ContextWindow, key.InferenceGeo, null, null);
    }

    /// <summary>Reads starting_at, ending_at, limit and page; the buckets of this page and the cursor of the next.</summary>
    private static bool TryWindow(
        HttpRequest request, DemoScenario s, TimeSpan width, int defaultLimit, int maxLimit, out Window window, out IResult? error)
    {
        window = default;
        error = null;
        var startText = request.Query["starting_at"].ToString();
        if (startText.Length == 0)
        {
            error = Invalid("starting_at: Field required");
            return false;
        }

        if (!TryTime(startText, out var from))
        {
            error = Invalid($"starting_at: Input should be a valid RFC 3339 datetime (got '{startText}')");
            return false;
        }

        var to = s.End;
        var endText = request.Query["ending_at"].ToString();
        if (endText.Length > 0 && (!TryTime(endText, out to) || to <= from))
        {
            error = Invalid($"ending_at: Input should be a valid RFC 3339 datetime after starting_at (got '{endText}')");
            return false;
        }

        var limit = defaultLimit;
        var limitText = request.Query["limit"].ToString();
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.Integer, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > maxLimit))
        {
            error = Invalid($"limit: Input should be between 1 and {maxLimit} (got '{limitText}')");
            return false;
        }

        from = new DateTimeOffset(from.UtcTicks - from.UtcTicks % width.Ticks, TimeSpan.Zero); // buckets snap to the width
        var first = from;
        var page = request.Query["page"].ToString();
        if (page.Length > 0)
        {
            if (!TryDecodeCursor(page, out var cursor) || cursor < from || cursor >= to || (cursor - from).Ticks % width.Ticks != 0)
            {
                error = Invalid("page: Invalid page token");
                return false;
            }

            first = cursor;
        }

        var starts = new List<DateTimeOffset>();
        var next = first;
        while (next < to && starts.Count < limit)
        {
            starts.Add(next);
            next += width;
        }

        window = new Window(from, to, starts, next < to ? EncodeCursor(next) : null);
        return true;
    }

    private static Func<DemoUsageHour, bool> Filter(HttpRequest request)
    {
        var keys = Values(request, "api_key_ids");
        var workspaces = Values(request, "workspace_ids");
        var models = Values(request, "models");
        return h => (keys.Count == 0 || keys.Contains(h.KeyId))
            && (workspaces.Count == 0 || workspaces.Contains(h.Workspace))
            && (models.Count == 0 || models.Contains(h.Model));
    }

    /// <summary>An array parameter as Anthropic takes it (<c>x[]=a&amp;x[]=b</c>), or repeated plain <c>x=a</c>.</summary>
    private static List<string> Values(HttpRequest request, string name) =>
        [.. request.Query[name + "[]"].Concat(request.Query[name]).Select(v => v ?? "").Where(v => v.Length > 0).Distinct(StringComparer.Ordinal)];

    private static bool TryTime(string text, out DateTimeOffset t) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out t);

    private static string Rfc3339(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Cents as a decimal string, the cost report's <c>amount</c> ("123.45" is USD 1.2345).</summary>
    private static string Cents(decimal usd) => (usd * 100m).ToString("0.############################", CultureInfo.InvariantCulture);

    /// <summary>The cost line's description in the docs' form: "Claude Sonnet 4 Usage - Input Tokens" (the connector never reads it).</summary>
    private static string Describe(string model, string tokenType, string tier) => $"{DisplayName(model)} Usage - {tokenType switch
    {
        "uncached_input_tokens" => "Input Tokens",
        "cache_read_input_tokens" => "Cache Read",
        "cache_creation.ephemeral_1h_input_tokens" => "1h Cache Write",
        "cache_creation.ephemeral_5m_input_tokens" => "5m Cache Write",
        _ => "Output Tokens",
    }}{(tier == "batch" ? " (Batch)" : "")}";

    /// <summary><c>claude-sonnet-4-5-20250929</c> as "Claude Sonnet 4.5".</summary>
    private static string DisplayName(string model)
    {
        var words = model.Split('-').Where(w => w.Length < 8).ToList(); // the date suffix goes
        var name = words.TakeWhile(w => !char.IsAsciiDigit(w[0])).Select(w => char.ToUpperInvariant(w[0]) + w[1..]);
        var version = string.Join('.', words.SkipWhile(w => !char.IsAsciiDigit(w[0])));
        return string.Join(' ', name) + (version.Length > 0 ? " " + version : "");
    }

    private static string TierOf(DemoUsageHour h) => h.Batch ? "batch" : "standard";

    private static string? NullIfDefault(string? workspace) => string.IsNullOrEmpty(workspace) ? null : workspace;

    private static string UserOf(string email) => "user_01" + email.Split('@')[0].Replace(".", "", StringComparison.Ordinal);

    private static string EncodeCursor(DateTimeOffset start) => "page_" + Convert.ToBase64String(Encoding.UTF8.GetBytes(Rfc3339(start)));

    private static bool TryDecodeCursor(string page, out DateTimeOffset start)
    {
        start = default;
        if (!page.StartsWith("page_", StringComparison.Ordinal))
            return false;
        try
        {
            return TryTime(Encoding.UTF8.GetString(Convert.FromBase64String(page["page_".Length..])), out start);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static IResult Invalid(string message) => Error(StatusCodes.Status400BadRequest, "invalid_request_error", message);

    private static IResult Error(int status, string type, string message) =>
        Results.Json(new ErrorResponse("error", new ErrorBody(type, message), "req_011CFake" + Guid.NewGuid().ToString("N")[..12]),
            FakeProviderServer.Json, statusCode: status);

    /// <summary>The Anthropic hours sorted by time.</summary>
    private sealed class Data
    {
        private readonly DemoHourIndex _index;

        public Data(DemoScenario scenario)
        {
            Scenario = scenario;
            _index = new DemoHourIndex(scenario, DemoScenario.Anthropic);
        }

        public DemoScenario Scenario { get; }

        public IEnumerable<DemoUsageHour> HoursIn(DateTimeOffset bucketStart, DateTimeOffset bucketEnd, DateTimeOffset from, DateTimeOffset to) =>
            _index.HoursIn(bucketStart, bucketEnd, from, to);
    }

    private readonly record struct Window(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<DateTimeOffset> Starts, string? NextPage);

    private readonly record struct GroupKey(
        string? ApiKeyId, string? WorkspaceId, string? Model, string? ServiceTier, string? ContextWindow, string? InferenceGeo);

    private readonly record struct CostGroup(string? WorkspaceId, string? Model, string? TokenType, string? ServiceTier);

    private sealed record CostLine(DemoUsageHour Hour, string TokenType, long Tokens, decimal Amount);

    private sealed record Page(IReadOnlyList<Bucket> Data, bool HasMore, string? NextPage);

    private sealed record Bucket(string StartingAt, string EndingAt, IReadOnlyList<object> Results);

    private sealed record UsageRow(
        long UncachedInputTokens, CacheCreation CacheCreation, long CacheReadInputTokens, long OutputTokens, ServerToolUse ServerToolUse,
        string? ApiKeyId, string? WorkspaceId, string? Model, string? ServiceTier, string? ContextWindow, string? InferenceGeo,
        string? AccountId, string? ServiceAccountId);

    private sealed record CacheCreation(
        [property: JsonPropertyName("ephemeral_1h_input_tokens")] long Ephemeral1hInputTokens,
        [property: JsonPropertyName("ephemeral_5m_input_tokens")] long Ephemeral5mInputTokens);

    private sealed record ServerToolUse(long WebSearchRequests);

    private sealed record CostRow(
        string Currency, string Amount, string? WorkspaceId, string? Description, string? CostType, string? ContextWindow,
        string? Model, string? ServiceTier, string? TokenType);

    private sealed record KeyList(IReadOnlyList<object> Data, string? FirstId, string? LastId, bool HasMore);

    private sealed record ApiKey(
        string Type, string Id, string Name, string CreatedAt, Actor CreatedBy, string? ExpiresAt, string PartialKeyHint,
        string Status, string? WorkspaceId);

    private sealed record Actor(string Id, string Type);

    private sealed record ErrorResponse(string Type, ErrorBody Error, string RequestId);

    private sealed record ErrorBody(string Type, string Message);
}
