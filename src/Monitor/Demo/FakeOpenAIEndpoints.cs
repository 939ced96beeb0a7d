using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Monitor.Demo;

/// <summary>
/// The OpenAI side of <see cref="FakeProviderServer"/>: usage (completions, embeddings; the other families with their
/// buckets empty: the scenario has no images, audio, moderations, tool calls or vector stores) and costs in time
/// buckets with group-by and cursor paging, admin and project key listings, projects, and models, which like the real
/// API refuse the admin key and answer an ordinary project key (<see cref="ProjectKeyOf"/>). Cost line items are free
/// text as the real API sends them: "&lt;model&gt;, input|output" for most projects, and for the batch pipeline the
/// token kind alone (<c>input_tokens</c>, the spec's own example), which names no model.
/// </summary>
internal static class FakeOpenAIEndpoints
{
    /// <summary>The project whose cost line items name no model (openapi.yaml l.32839: <c>"line_item": "input_tokens"</c>).</summary>
    public const string UnnamedLinesProject = "proj_batch";

    private static readonly string[] CompletionGroups = ["project_id", "user_id", "api_key_id", "model", "batch", "service_tier"];
    private static readonly string[] EmbeddingGroups = ["project_id", "user_id", "api_key_id", "model"];
    private static readonly string[] CostGroups = ["project_id", "line_item", "api_key_id"];

    /// <summary>The usage families without scenario data, with the group_by values the spec allows each (openapi.yaml l.13996-15380).</summary>
    private static readonly (string Family, string[] Groups)[] EmptyFamilies =
    [
        ("moderations", ["project_id", "user_id", "api_key_id", "model"]),
        ("images", ["project_id", "user_id", "api_key_id", "model", "size", "source"]),
        ("audio_speeches", ["project_id", "user_id", "api_key_id", "model"]),
        ("audio_transcriptions", ["project_id", "user_id", "api_key_id", "model"]),
        ("web_search_calls", ["project_id", "user_id", "api_key_id", "model", "context_level"]),
        ("file_search_calls", ["project_id", "user_id", "api_key_id", "vector_store_id"]),
        ("code_interpreter_sessions", ["project_id"]),
        ("vector_stores", ["project_id"]),
    ];

    /// <summary>The ordinary project key the fake accepts on <c>/v1/models</c> for an admin key (admin keys are refused there).</summary>
    public static string ProjectKeyOf(string adminKey) => "sk-proj-" + adminKey;

    /// <summary>
    /// Bearer auth as OpenAI does it: the admin key on the Administration API, an ordinary key on <c>/v1/models</c>
    /// ("Admin API keys cannot be used for non-administration endpoints").
    /// </summary>
    public static bool IsAuthorized(HttpRequest request, string apiKey)
    {
        ArgumentNullException.ThrowIfNull(request);
        var models = request.Path.Value?.EndsWith("/v1/models", StringComparison.Ordinal) == true;
        return FakeProviderMount.Bearer(request, models ? ProjectKeyOf(apiKey) : apiKey);
    }

    private static readonly Dictionary<string, (TimeSpan Width, int DefaultLimit, int MaxLimit)> Widths = new(StringComparer.Ordinal)
    {
        ["1m"] = (TimeSpan.FromMinutes(1), 60, 1440),
        ["1h"] = (TimeSpan.FromHours(1), 24, 168),
        ["1d"] = (TimeSpan.FromDays(1), 7, 31),
    };

    public static IResult Unauthorized() =>
        Error(StatusCodes.Status401Unauthorized, "Incorrect API key provided", null, "invalid_api_key");

    public static void Map(RouteGroupBuilder group, DemoScenario scenario)
    {
        var data = new Data(scenario);
        group.MapGet("/v1/organization/usage/completions", (HttpRequest request) => Usage(request, data, embeddings: false));
        group.MapGet("/v1/organization/usage/embeddings", (HttpRequest request) => Usage(request, data, embeddings: true));
        foreach (var (family, groups) in EmptyFamilies)
            group.MapGet("/v1/organization/usage/" + family, (HttpRequest request) => EmptyUsage(request, data, groups));
        group.MapGet("/v1/organization/costs", (HttpRequest request) => Costs(request, data));
        group.MapGet("/v1/organization/admin_api_keys", (HttpRequest request) => AdminKeys(request, data));
        group.MapGet("/v1/organization/projects", (HttpRequest request) => Projects(request, data));
        group.MapGet("/v1/organization/projects/{projectId}/api_keys", (HttpRequest request, string projectId) => ProjectKeys(request, data, projectId));
        group.MapGet("/v1/models", () => Results.Json(Models(scenario), FakeProviderServer.Json));
    }

    private static IResult Usage(HttpRequest request, Data data, bool embeddings)
    {
        if (UsageQuery(request, data, embeddings ? EmbeddingGroups : CompletionGroups, out var width, out var window, out var groups) is { } error)
            return error;

        bool? batch = null;
        var batchText = request.Query["batch"].ToString();
        if (!embeddings && batchText.Length > 0)
        {
            if (!bool.TryParse(batchText, out var b))
                return Invalid("batch", "Invalid batch: expected true or false.");
            batch = b;
        }

        var filter = Filter(request, data, h => DemoScenario.IsEmbeddingModel(h.Model) == embeddings && (batch is null || h.Batch == batch));
        var buckets = window.Starts.Select(start =>
        {
            var results = data.HoursIn(start, start + width, window.From, window.To)
                .Where(filter)
                .GroupBy(h => new GroupKey(
                    groups.Contains("project_id") ? h.Workspace : null,
                    groups.Contains("user_id") ? data.UserOf(h.KeyId) : null,
                    groups.Contains("api_key_id") ? h.KeyId : null,
                    groups.Contains("model") ? h.Model : null,
                    groups.Contains("batch") ? h.Batch : null,
                    groups.Contains("service_tier") ? "default" : null,
                    null))
                .OrderBy(g => g.Key.ToString(), StringComparer.Ordinal)
                .Select(g => embeddings ? (object)ToEmbeddingsResult(g.Key, g) : ToCompletionsResult(g.Key, g))
                .ToArray();
            return new Bucket("bucket", start.ToUnixTimeSeconds(), (start + width).ToUnixTimeSeconds(), results);
        }).ToArray();
        return Results.Json(new Page("page", buckets, window.NextPage is not null, window.NextPage), FakeProviderServer.Json);
    }

    /// <summary>A family the scenario has no usage of: its buckets, paged like the others, with empty results.</summary>
    private static IResult EmptyUsage(HttpRequest request, Data data, string[] allowed)
    {
        if (UsageQuery(request, data, allowed, out var width, out var window, out _) is { } error)
            return error;
        var buckets = window.Starts
            .Select(start => new Bucket("bucket", start.ToUnixTimeSeconds(), (start + width).ToUnixTimeSeconds(), []))
            .ToArray();
        return Results.Json(new Page("page", buckets, window.NextPage is not null, window.NextPage), FakeProviderServer.Json);
    }

    /// <summary>A usage request's bucket_width, window and group_by, checked as the API checks them; the error, or null.</summary>
    private static IResult? UsageQuery(
        HttpRequest request, Data data, string[] allowed, out TimeSpan width, out Window window, out List<string> groups)
    {
        width = default;
        groups = [];
        var widthText = request.Query["bucket_width"].ToString();
        if (widthText.Length == 0)
            widthText = "1d";
        if (!Widths.TryGetValue(widthText, out var w))
        {
            window = default;
            return Invalid("bucket_width", $"Invalid bucket_width '{widthText}': expected one of 1m, 1h, 1d.");
        }

        if (!TryWindow(request, data.Scenario, w.Width, w.DefaultLimit, w.MaxLimit, out window, out var error))
            return error!;
        groups = Values(request, "group_by");
        if (groups.FirstOrDefault(g => !allowed.Contains(g)) is { } bad)
            return Invalid("group_by", $"Invalid group_by value '{bad}'.");
        width = w.Width;
        return null;
    }

    private static IResult Costs(HttpRequest request, Data data)
    {
        var widthText = request.Query["bucket_width"].ToString();
        if (widthText.Length > 0 && widthText != "1d")
            return Invalid("bucket_width", $"Invalid bucket_width '{widthText}': costs support only 1d.");
        var day = TimeSpan.FromDays(1);
        if (!TryWindow(request, data.Scenario, day, 7, 180, out var window, out var error))
            return error!;
        var groups = Values(request, "group_by");
        if (groups.FirstOrDefault(g => !CostGroups.Contains(g)) is { } bad)
            return Invalid("group_by", $"Invalid group_by value '{bad}'.");

        var byLine = groups.Contains("line_item");
        var filter = Filter(request, data, _ => true);
        var s = data.Scenario;
        var buckets = window.Starts.Select(start =>
        {
            var lines = data.HoursIn(start, start + day, window.From, window.To)
                .Where(filter)
                .SelectMany(h => new[]
                {
                    (Hour: h, Line: h.Workspace == UnnamedLinesProject ? "input_tokens" : $"{h.Model}, input", Quantity: h.InputTokens + h.CachedInputTokens, Amount: s.InputCostOf(h)),
                    (Hour: h, Line: h.Workspace == UnnamedLinesProject ? "output_tokens" : $"{h.Model}, output", Quantity: h.OutputTokens, Amount: s.OutputCostOf(h)),
                })
                .Where(l => l.Quantity > 0);
            var results = lines
                .GroupBy(l => new GroupKey(
                    groups.Contains("project_id") ? l.Hour.Workspace : null, null,
                    groups.Contains("api_key_id") ? l.Hour.KeyId : null, null, null, null,
                    byLine ? l.Line : null))
                .OrderBy(g => g.Key.ToString(), StringComparer.Ordinal)
                .Select(g => (object)new CostsResult(
                    "organization.costs.result", new Money(g.Sum(l => l.Amount), "usd"), g.Key.LineItem, g.Key.ProjectId,
                    g.Key.ApiKeyId, byLine ? g.Sum(l => l.Quantity) : null, byLine ? "tokens" : null))
                .ToArray();
            return new Bucket("bucket", start.ToUnixTimeSeconds(), (start + day).ToUnixTimeSeconds(), results);
        }).ToArray();
        return Results.Json(new Page("page", buckets, window.NextPage is not null, window.NextPage), FakeProviderServer.Json);
    }

    private static IResult AdminKeys(HttpRequest request, Data data)
    {
        var order = request.Query["order"].ToString();
        if (order.Length > 0 && order is not ("asc" or "desc"))
            return Invalid("order", "Invalid order: expected asc or desc.");
        var keys = data.Scenario.Keys.Where(k => k.Provider == DemoScenario.OpenAI && k.IsAdmin).OrderBy(k => k.CreatedAt).ToList();
        if (order == "desc")
            keys.Reverse();
        var end = data.Scenario.End.ToUnixTimeSeconds();
        return List(request, keys, k => k.KeyId, 20, k => new AdminApiKey(
            "organization.admin_api_key", k.KeyId, k.Name, k.RedactedValue, k.CreatedAt.ToUnixTimeSeconds(),
            k.ExpiresAt?.ToUnixTimeSeconds(), end,
            new AdminOwner("user", "organization.user", data.UserOf(k.KeyId), NameOf(k.OwnerEmail), k.CreatedAt.AddDays(-400).ToUnixTimeSeconds(), "owner")));
    }

    private static IResult Projects(HttpRequest request, Data data)
    {
        var projects = data.Scenario.Workspaces.Where(w => w.Provider == DemoScenario.OpenAI).ToList();
        var created = data.Scenario.Start.AddDays(-200).ToUnixTimeSeconds();
        return List(request, projects, p => p.Id, 20, p => new Project(p.Id, "organization.project", p.Name, created, null, "active"));
    }

    private static IResult ProjectKeys(HttpRequest request, Data data, string projectId)
    {
        if (!data.Scenario.Workspaces.Any(w => w.Provider == DemoScenario.OpenAI && w.Id == projectId))
            return Error(StatusCodes.Status404NotFound, $"No such project: {projectId}", "project_id", null);
        var access = request.Query["owner_project_access"].ToString();
        if (access.Length > 0 && access is not ("active" or "inactive" or "any"))
            return Invalid("owner_project_access", "Invalid owner_project_access: expected active, inactive or any.");
        var keys = data.Scenario.Lifecycle.Listed(data.Scenario.Keys, DemoScenario.OpenAI)
            .Where(k => !k.IsAdmin && k.WorkspaceId == projectId && access != "inactive")
            .ToList();
        return List(request, keys, k => k.KeyId, 20, k => new ProjectApiKey(
            "organization.project.api_key", k.RedactedValue, k.Name, k.CreatedAt.ToUnixTimeSeconds(),
            data.LastUsedEnd(k.KeyId)?.ToUnixTimeSeconds(), k.KeyId, "active",
            new ProjectKeyOwner("user", new OwnerUser(data.UserOf(k.KeyId), NameOf(k.OwnerEmail), k.OwnerEmail, "owner",
                k.CreatedAt.AddDays(-400).ToUnixTimeSeconds()))));
    }

    private static ModelList Models(DemoScenario s)
    {
        var shutdown = s.Now.AddDays(60).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return new ModelList("list",
        [
            new("gpt-4.1-2025-04-14", "model", 1744316542, "system", null),
            new("gpt-4o-mini-2024-07-18", "model", 1721172741, "system", null),
            new("text-embedding-3-small", "model", 1705948997, "system", null),
            new("gpt-4o-2024-05-13", "model", 1715368132, "system", shutdown),
        ]);
    }

    private static CompletionsResult ToCompletionsResult(GroupKey key, IEnumerable<DemoUsageHour> hours)
    {
        long uncached = 0, cached = 0, output = 0, requests = 0;
        foreach (var h in hours)
        {
            uncached += h.InputTokens;
            cached += h.CachedInputTokens;
            output += h.OutputTokens;
            requests += h.Requests;
        }

        return new CompletionsResult(
            "organization.usage.completions.result", uncached + cached, cached, 0, uncached, output,
            uncached + cached, output, cached, 0, 0, 0, 0, 0, 0, requests,
            key.ProjectId, key.UserId, key.ApiKeyId, key.Model, key.Batch, key.ServiceTier);
    }

    private static EmbeddingsResult ToEmbeddingsResult(GroupKey key, IEnumerable<DemoUsageHour> hours) =>
        new("organization.usage.embeddings.result", hours.Sum(h => h.InputTokens + h.CachedInputTokens), hours.Sum(h => h.Requests),
            key.ProjectId, key.UserId, key.ApiKeyId, key.Model);

    /// <summary>Reads start_time, end_time, limit and page; the buckets of this page and the cursor of the next.</summary>
    private static bool TryWindow(
        HttpRequest request, DemoScenario s, TimeSpan width, int defaultLimit, int maxLimit, out Window window, out IResult? error)
    {
        window = default;
        error = null;
        var startText = request.Query["start_time"].ToString();
        if (startText.Length == 0)
        {
            error = Error(StatusCodes.Status400BadRequest, "Missing required parameter: 'start_time'.", "start_time", "missing_required_parameter");
            return false;
        }

        if (!long.TryParse(startText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var startSeconds) || startSeconds < 0)
        {
            error = Invalid("start_time", $"Invalid start_time '{startText}': expected Unix seconds.");
            return false;
        }

        var endSeconds = s.End.ToUnixTimeSeconds();
        var endText = request.Query["end_time"].ToString();
        if (endText.Length > 0 && (!long.TryParse(endText, NumberStyles.Integer, CultureInfo.InvariantCulture, out endSeconds) || endSeconds <= startSeconds))
        {
            error = Invalid("end_time", $"Invalid end_time '{endText}': expected Unix seconds after start_time.");
            return false;
        }

        var limit = defaultLimit;
        var limitText = request.Query["limit"].ToString();
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.Integer, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > maxLimit))
        {
            error = Invalid("limit", $"Invalid limit '{limitText}': expected 1 to {maxLimit}.");
            return false;
        }

        var from = DateTimeOffset.FromUnixTimeSeconds(startSeconds);
        var to = DateTimeOffset.FromUnixTimeSeconds(endSeconds);
        var first = from;
        var page = request.Query["page"].ToString();
        if (page.Length > 0)
        {
            if (!TryDecodeCursor(page, out var cursor) || cursor < from || cursor >= to || (cursor - from).Ticks % width.Ticks != 0)
            {
                error = Invalid("page", "Invalid page cursor.");
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

    private static Func<DemoUsageHour, bool> Filter(HttpRequest request, Data data, Func<DemoUsageHour, bool> kind)
    {
        var projects = Values(request, "project_ids");
        var users = Values(request, "user_ids");
        var keys = Values(request, "api_key_ids");
        var models = Values(request, "models");
        return h => kind(h)
            && (projects.Count == 0 || projects.Contains(h.Workspace))
            && (users.Count == 0 || users.Contains(data.UserOf(h.KeyId) ?? ""))
            && (keys.Count == 0 || keys.Contains(h.KeyId))
            && (models.Count == 0 || models.Contains(h.Model));
    }

    /// <summary>An array parameter in any common form: repeated <c>x=a&amp;x=b</c>, <c>x[]=a</c>, or <c>x=a,b</c>.</summary>
    private static List<string> Values(HttpRequest request, string name) =>
        [.. request.Query[name].Concat(request.Query[name + "[]"])
            .SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal)];

    private static IResult List<T>(HttpRequest request, IReadOnlyList<T> items, Func<T, string> id, int defaultLimit, Func<T, object> shape)
    {
        var limit = defaultLimit;
        var limitText = request.Query["limit"].ToString();
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.Integer, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > 100))
            return Invalid("limit", $"Invalid limit '{limitText}': expected 1 to 100.");

        var skip = 0;
        var after = request.Query["after"].ToString();
        if (after.Length > 0)
        {
            var index = items.Select(id).ToList().IndexOf(after);
            if (index < 0)
                return Invalid("after", $"Invalid after '{after}': no such object.");
            skip = index + 1;
        }

        var page = items.Skip(skip).Take(limit).ToList();
        return Results.Json(
            new ListOf("list", page.Select(shape).ToArray(), page.Count > 0 ? id(page[0]) : null,
                page.Count > 0 ? id(page[^1]) : null, skip + page.Count < items.Count),
            FakeProviderServer.Json);
    }

    private static string EncodeCursor(DateTimeOffset start) =>
        "page_" + Convert.ToBase64String(Encoding.UTF8.GetBytes(start.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));

    private static bool TryDecodeCursor(string page, out DateTimeOffset start)
    {
        start = default;
        if (!page.StartsWith("page_", StringComparison.Ordinal))
            return false;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(page["page_".Length..]));
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
                return false;
            start = DateTimeOffset.FromUnixTimeSeconds(seconds);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static string NameOf(string email)
    {
        var local = email.Split('@')[0].Split('.');
        return string.Join(' ', local.Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));
    }

    private static IResult Invalid(string param, string message) =>
        Error(StatusCodes.Status400BadRequest, message, param, null);

    private static IResult Error(int status, string message, string? param, string? code) =>
        Results.Json(new ErrorResponse(new ErrorBody(message, "invalid_request_error", param, code)), FakeProviderServer.Json, statusCode: status);

    /// <summary>The OpenAI hours sorted by time, with the lookups the handlers need.</summary>
    private sealed class Data
    {
        private readonly DemoHourIndex _index;
        private readonly Dictionary<string, string> _users;
        private readonly Dictionary<string, DateTimeOffset> _lastUsedEnd;

        public Data(DemoScenario scenario)
        {
            Scenario = scenario;
            _index = new DemoHourIndex(scenario, DemoScenario.OpenAI);
            _users = scenario.Keys.Where(k => k.Provider == DemoScenario.OpenAI)
                .ToDictionary(k => k.KeyId, k => "user_" + k.OwnerEmail.Split('@')[0].Replace('.', '_'), StringComparer.Ordinal);
            _lastUsedEnd = _index.All.GroupBy(h => h.KeyId).ToDictionary(g => g.Key, g => g.Max(h => h.HourStart).AddHours(1), StringComparer.Ordinal);
        }

        public DemoScenario Scenario { get; }

        public string? UserOf(string keyId) => _users.GetValueOrDefault(keyId);

        public DateTimeOffset? LastUsedEnd(string keyId) => _lastUsedEnd.TryGetValue(keyId, out var t) ? t : null;

        public IEnumerable<DemoUsageHour> HoursIn(DateTimeOffset bucketStart, DateTimeOffset bucketEnd, DateTimeOffset from, DateTimeOffset to) =>
            _index.HoursIn(bucketStart, bucketEnd, from, to);
    }

    private readonly record struct Window(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<DateTimeOffset> Starts, string? NextPage);

    private readonly record struct GroupKey(
        string? ProjectId, string? UserId, string? ApiKeyId, string? Model, bool? Batch, string? ServiceTier, string? LineItem);

    private sealed record Page(string Object, IReadOnlyList<Bucket> Data, bool HasMore, string? NextPage);

    private sealed record Bucket(string Object, long StartTime, long EndTime, IReadOnlyList<object> Results);

    private sealed record CompletionsResult(
        string Object, long InputTokens, long InputCachedTokens, long InputCacheWriteTokens, long InputUncachedTokens,
        long OutputTokens, long InputTextTokens, long OutputTextTokens, long InputCachedTextTokens, long InputAudioTokens,
        long InputCachedAudioTokens, long OutputAudioTokens, long InputImageTokens, long InputCachedImageTokens,
        long OutputImageTokens, long NumModelRequests, string? ProjectId, string? UserId, string? ApiKeyId, string? Model,
        bool? Batch, string? ServiceTier);

    private sealed record EmbeddingsResult(
        string Object, long InputTokens, long NumModelRequests, string? ProjectId, string? UserId, string? ApiKeyId, string? Model);

    private sealed record CostsResult(
        string Object, Money Amount, string? LineItem, string? ProjectId, string? ApiKeyId, long? Quantity, string? QuantityUnit);

    private sealed record Money(decimal Value, string Currency);

    private sealed record ListOf(string Object, IReadOnlyList<object> Data, string? FirstId, string? LastId, bool HasMore);

    private sealed record AdminApiKey(
        string Object, string Id, string Name, string RedactedValue, long CreatedAt, long? ExpiresAt, long? LastUsedAt, AdminOwner Owner);

    private sealed record AdminOwner(string Type, string Object, string? Id, string Name, long CreatedAt, string Role);

    private sealed record Project(string Id, string Object, string Name, long CreatedAt, long? ArchivedAt, string Status);

    private sealed record ProjectApiKey(
        string Object, string RedactedValue, string Name, long CreatedAt, long? LastUsedAt, string Id,
        string OwnerProjectAccess, ProjectKeyOwner Owner);

    private sealed record ProjectKeyOwner(string Type, OwnerUser User);

    private sealed record OwnerUser(string? Id, string Name, string Email, string Role, long CreatedAt);

    private sealed record ErrorResponse(ErrorBody Error);

    private sealed record ErrorBody(string Message, string Type, string? Param, string? Code);

    private sealed record ModelList(string Object, IReadOnlyList<OpenAIModel> Data);

    private sealed record OpenAIModel(string Id, string Object, long Created, string OwnedBy, string? ShutdownDate);
}
