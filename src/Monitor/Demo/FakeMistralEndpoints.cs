using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Monitor.Demo;

/// <summary>
/// The Mistral side of <see cref="FakeProviderServer"/>: <c>/v1/models</c> and the beta admin API (workspaces,
/// usage, spend limit, API keys). Usage rows follow the demo convention: per model, groups <c>input</c>,
/// <c>cached_input</c>, <c>output</c>, <c>requests</c> of <c>{billing_metric, billing_group, value, amount}</c>.
/// </summary>
internal static class FakeMistralEndpoints
{
    private const string Deprecated = "mistral-medium-2505";
    private const decimal SpendLimit = 500.0m;

    public static IResult Unauthorized() =>
        Results.Json(new { detail = "Unauthorized" }, FakeProviderServer.Json, statusCode: StatusCodes.Status401Unauthorized);

    /// <summary>The model cards of <c>/v1/models</c>; the Codestral fake serves the same list.</summary>
    public static IResult ModelsResult(DemoScenario scenario) => Results.Json(Models(scenario), FakeProviderServer.Json);

    public static void Map(RouteGroupBuilder group, DemoScenario scenario)
    {
        group.MapGet("/v1/models", () => ModelsResult(scenario));
        group.MapGet("/v1/admin/workspaces", (HttpRequest request) => Workspaces(request, scenario));
        group.MapGet("/v1/admin/usage", (HttpRequest request) => Usage(request, scenario));
        group.MapGet("/v1/admin/spend-limit", () => Results.Json(SpendLimitOf(scenario), FakeProviderServer.Json));
        group.MapGet("/v1/admin/api-keys", (HttpRequest request) => ApiKeys(request, scenario));
    }

    private static ModelList Models(DemoScenario s)
    {
        var created = s.End.ToUnixTimeSeconds();
        var deprecation = s.Now.AddDays(45).UtcDateTime.Date.AddHours(12);
        var targets = s.Lifecycle.AliasTargets;
        ModelCard Card(string id, string description, int context, string[] aliases, double temperature, bool chat = true,
            bool fim = false, string? deprecates = null, string? replacement = null) =>
            new(id, "model", created, "mistralai",
                new Capabilities(chat, chat, false, fim, chat, id.Contains("large", StringComparison.Ordinal) || id.Contains("small", StringComparison.Ordinal),
                    false, false, false, false, false, false, false, false),
                id, description, context,
                // The moving aliases go with whichever model they point at now.
                [.. targets.Where(t => t.Value == id).Select(t => t.Key).Order(StringComparer.Ordinal), .. aliases],
                deprecates, replacement, chat ? temperature : null, false, "base");

        List<ModelCard> cards =
        [
            Card("mistral-large-2512", "Mistral Large 3, our flagship open-weight multimodal model.", 262144, [], 0.3),
            Card("mistral-small-2603", "Mistral Small 4, an efficient multimodal model.", 131072, [], 0.3),
            Card(Deprecated, "Mistral Medium 3, a frontier-class multimodal model.", 131072, [], 0.3,
                deprecates: deprecation.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), replacement: "mistral-medium-3-5"),
            Card("mistral-medium-3-5", "Mistral Medium 3.5, our frontier-class multimodal model.", 262144, ["mistral-medium-3"], 0.3),
            Card("codestral-2508", "Our cutting-edge language model for coding released August 2025.", 256000, [], 0.3, fim: true),
            Card("mistral-embed", "Our state-of-the-art semantic model for extracting representations of text.", 8192, ["mistral-embed-2312"], 0, chat: false),
        ];
        foreach (var target in targets.Values.Distinct(StringComparer.Ordinal).Where(t => cards.All(c => c.Id != t)).Order(StringComparer.Ordinal))
            cards.Add(Card(target, target, 131072, [], 0.3));
        return new ModelList("list", cards);
    }

    private static IResult Workspaces(HttpRequest request, DemoScenario s)
    {
        if (!TryInt(request, "page", 1, 1, int.MaxValue, out var page, out var error)
            || !TryInt(request, "page_size", 25, 1, 1000, out var pageSize, out error))
            return error!;

        var search = request.Query["search"].ToString();
        var all = s.Workspaces
            .Where(w => w.Provider == DemoScenario.Mistral)
            .Where(w => search.Length == 0 || w.Name.Contains(search, StringComparison.OrdinalIgnoreCase))
            .ToArray();
        var items = all.Skip((page - 1) * pageSize).Take(pageSize)
            .Select(w => new WorkspaceOut(w.Id, w.Name, $"{w.Name} workspace", null,
                s.Keys.Count(k => k.WorkspaceId == w.Id) + 2, null, w.Name == "Product Team"))
            .ToArray();
        return Results.Json(new WorkspaceList(all.Length, items, page, pageSize, "list"), FakeProviderServer.Json);
    }

    private static IResult Usage(HttpRequest request, DemoScenario s)
    {
        var current = s.End.AddHours(-1);
        var monthText = request.Query["month"].ToString();
        var yearText = request.Query["year"].ToString();
        var month = current.Month;
        var year = current.Year;
        if (monthText.Length > 0 && !(int.TryParse(monthText, NumberStyles.None, CultureInfo.InvariantCulture, out month) && month is >= 1 and <= 12))
            return Invalid("month", "Input should be a valid month between 1 and 12");
        if (yearText.Length > 0 && !(int.TryParse(yearText, NumberStyles.None, CultureInfo.InvariantCulture, out year) && year is >= 1970 and <= 9999))
            return Invalid("year", "Input should be a valid year");

        string? workspace = null;
        var workspaceText = request.Query["workspace_id"].ToString();
        if (workspaceText.Length > 0)
        {
            if (!Guid.TryParse(workspaceText, out var uuid))
                return Invalid("workspace_id", "Input should be a valid UUID");
            workspace = uuid.ToString();
        }

        var monthStart = new DateTimeOffset(year, month, 1, 0, 0, 0, TimeSpan.Zero);
        var monthEnd = monthStart.AddMonths(1);
        var models = new SortedDictionary<string, Dictionary<string, Row[]>>(StringComparer.Ordinal);
        foreach (var model in HoursIn(s, monthStart, monthEnd, workspace).GroupBy(h => h.Model))
        {
            var price = s.PriceOf(DemoScenario.Mistral, model.Key);
            long input = model.Sum(h => h.InputTokens), cached = model.Sum(h => h.CachedInputTokens);
            long output = model.Sum(h => h.OutputTokens), requests = model.Sum(h => h.Requests);
            var groups = new Dictionary<string, Row[]>(StringComparer.Ordinal);
            if (input > 0)
                groups["input"] = [new Row("input_tokens", "input", input, Amount(price.InputCost(input)))];
            if (cached > 0)
                groups["cached_input"] = [new Row("cached_input_tokens", "cached_input", cached, Amount(price.CachedInputCost(cached)))];
            if (output > 0)
                groups["output"] = [new Row("output_tokens", "output", output, Amount(price.OutputCost(output)))];
            if (requests > 0)
                groups["requests"] = [new Row("requests", "requests", requests, null)];
            models[model.Key] = groups;
        }

        var previous = monthStart.AddMonths(-1);
        var hasPrevious = monthStart > s.Start && previous < s.End;
        var hasNext = monthEnd < s.End;
        var body = new UsageOut(
            Completion: new ModelUsage(models),
            Ocr: ModelUsage.Empty, Connectors: ModelUsage.Empty, Audio: ModelUsage.Empty,
            AudioCharacters: ModelUsage.Empty, Chat: ModelUsage.Empty,
            LibrariesApi: new LibrariesUsage(ModelUsage.Empty, ModelUsage.Empty, ModelUsage.Empty),
            FineTuning: new FineTuningUsage(new Dictionary<string, object>(), new Dictionary<string, long>()),
            VibeCode: new VibeCodeUsage(ModelUsage.Empty, ModelUsage.Empty, ModelUsage.Empty, ModelUsage.Empty, ModelUsage.Empty),
            VibeUsage: 0,
            Date: Iso(monthStart),
            StartDate: Iso(monthStart),
            EndDate: Iso(monthEnd.AddSeconds(-1)),
            PreviousMonth: hasPrevious ? previous.ToString("yyyy-MM", CultureInfo.InvariantCulture) : null,
            NextMonth: hasNext ? monthEnd.ToString("yyyy-MM", CultureInfo.InvariantCulture) : null,
            Currency: "EUR",
            CurrencySymbol: "€",
            Prices: [.. Prices(s)]);
        return Results.Json(body, FakeProviderServer.Json);
    }

    private static LimitsOut SpendLimitOf(DemoScenario s)
    {
        var current = s.End.AddHours(-1);
        var monthStart = new DateTimeOffset(current.Year, current.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var usage = decimal.Round(HoursIn(s, monthStart, monthStart.AddMonths(1), null).Sum(s.CostOf), 2);
        return new LimitsOut(new LimitsContext(
            new UsageLimits(false, usage >= SpendLimit, usage, 0, usage, SpendLimit), false, null, "EUR"));
    }

    private static IResult ApiKeys(HttpRequest request, DemoScenario s)
    {
        if (!TryInt(request, "limit", 100, 1, 1000, out var limit, out var error)
            || !TryInt(request, "offset", 0, 0, int.MaxValue, out var offset, out error))
            return error!;

        var name = request.Query["name"].ToString();
        var workspaces = s.Workspaces.ToDictionary(w => w.Id, w => w.Name);
        var lastUsed = s.Hours.Where(h => h.Provider == DemoScenario.Mistral)
            .GroupBy(h => h.KeyId)
            .ToDictionary(g => g.Key, g => g.Max(h => h.HourStart));
        var keys = s.Lifecycle.Listed(s.Keys, DemoScenario.Mistral)
            .Where(k => name.Length == 0 || k.Name.Contains(name, StringComparison.OrdinalIgnoreCase)
                || k.RedactedValue.EndsWith(name, StringComparison.OrdinalIgnoreCase))
            .Skip(offset).Take(limit)
            .Select(k => new ApiKeyOut(
                k.KeyId, null, k.Name, k.RedactedValue, Iso(k.CreatedAt),
                k.ExpiresAt is { } expires ? Day(expires) : null,
                s.Lifecycle.LastUsed.TryGetValue(k.KeyId, out var later) ? Day(later) : lastUsed.TryGetValue(k.KeyId, out var used) ? Day(used) : null,
                k.WorkspaceId, k.WorkspaceId is { } w ? workspaces[w] : null,
                k.OwnerEmail, "API", true,
                new KeyActions(new ActionStatus("available"), new ActionStatus("available"))))
            .ToArray();
        return Results.Json(new ApiKeyList(keys), FakeProviderServer.Json);
    }

    private static IEnumerable<DemoUsageHour> HoursIn(DemoScenario s, DateTimeOffset from, DateTimeOffset to, string? workspace) =>
        s.Hours.Where(h => h.Provider == DemoScenario.Mistral && h.HourStart >= from && h.HourStart < to && h.HourStart < s.VisibleUntil
            && (workspace is null || h.Workspace == workspace));

    private static IEnumerable<PriceData> Prices(DemoScenario s)
    {
        foreach (var price in s.Prices.Where(p => p.Provider == DemoScenario.Mistral))
        {
            yield return PriceRow("input_tokens", "input", price.InputPerMillion);
            yield return PriceRow("cached_input_tokens", "cached_input", price.CachedInputPerMillion);
            if (price.OutputPerMillion > 0)
                yield return PriceRow("output_tokens", "output", price.OutputPerMillion);
        }
    }

    private static PriceData PriceRow(string metric, string group, decimal perMillion) =>
        new("api_tokens", metric, group, "global", "standard",
            (perMillion / 1_000_000m).ToString("0.############", CultureInfo.InvariantCulture));

    private static bool TryInt(HttpRequest request, string name, int fallback, int min, int max, out int value, out IResult? error)
    {
        error = null;
        var text = request.Query[name].ToString();
        if (text.Length == 0)
        {
            value = fallback;
            return true;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= min && value <= max)
            return true;
        error = Invalid(name, $"Input should be an integer between {min} and {max}");
        return false;
    }

    private static IResult Invalid(string parameter, string message) =>
        Results.Json(
            new { detail = new[] { new { loc = new[] { "query", parameter }, msg = message, type = "value_error" } } },
            FakeProviderServer.Json, statusCode: StatusCodes.Status422UnprocessableEntity);

    private static string Amount(decimal amount) =>
        decimal.Round(amount, 6, MidpointRounding.AwayFromZero).ToString("F6", CultureInfo.InvariantCulture);

    private static string Iso(DateTimeOffset t) =>
        t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Day(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private sealed record ModelList(string Object, IReadOnlyList<ModelCard> Data);

    private sealed record ModelCard(
        string Id, string Object, long Created, string OwnedBy, Capabilities Capabilities, string? Name,
        string? Description, int MaxContextLength, IReadOnlyList<string> Aliases, string? Deprecation,
        string? DeprecationReplacementModel, double? DefaultModelTemperature, bool Internal, string Type);

    private sealed record Capabilities(
        bool CompletionChat, bool FunctionCalling, bool Reasoning, bool CompletionFim, bool FineTuning, bool Vision,
        bool Ocr, bool Classification, bool Moderation, bool Audio, bool AudioTranscription,
        bool AudioTranscriptionRealtime, bool AudioSpeech, bool UnifiedResources);

    private sealed record WorkspaceList(int Total, IReadOnlyList<WorkspaceOut> Items, int Page, int PageSize, string Object);

    private sealed record WorkspaceOut(
        string Uuid, string Name, string? Description, string? Icon, int MembersCount, object? SpendLimit, bool IsDefault);

    private sealed record UsageOut(
        ModelUsage Completion, ModelUsage Ocr, ModelUsage Connectors, ModelUsage Audio, ModelUsage AudioCharacters,
        ModelUsage Chat, LibrariesUsage LibrariesApi, FineTuningUsage FineTuning, VibeCodeUsage VibeCode,
        decimal VibeUsage, string Date, string StartDate, string EndDate, string? PreviousMonth, string? NextMonth,
        string Currency, string CurrencySymbol, IReadOnlyList<PriceData> Prices);

    private sealed record ModelUsage(IDictionary<string, Dictionary<string, Row[]>> Models)
    {
        public static ModelUsage Empty => new(new Dictionary<string, Dictionary<string, Row[]>>());
    }

    private sealed record Row(
        string BillingMetric, string BillingGroup, long Value,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Amount);

    private sealed record LibrariesUsage(ModelUsage Pages, ModelUsage Tokens, ModelUsage AudioSeconds);

    private sealed record FineTuningUsage(Dictionary<string, object> Training, Dictionary<string, long> Storage);

    private sealed record VibeCodeUsage(
        ModelUsage Completion, ModelUsage Ocr, ModelUsage Connectors, ModelUsage Audio, ModelUsage AudioCharacters);

    private sealed record PriceData(
        string EventType, string BillingMetric, string BillingGroup, string ApiZone, string ServiceTier, string Price);

    private sealed record LimitsOut(LimitsContext Limits);

    private sealed record LimitsContext(
        UsageLimits Completion, bool LastPaymentFailure, bool? LastPaymentFailureProtection, string Currency);

    private sealed record UsageLimits(
        bool NoMonthlyLimit, bool MonthlyLimitReached, decimal Usage, decimal VibeUsage, decimal TotalUsage, decimal UsageLimit);

    private sealed record ApiKeyList(IReadOnlyList<ApiKeyOut> Keys);

    private sealed record ApiKeyOut(
        string KeyId, string? Key, string? Name, string HiddenKey, string? CreatedAt, string? ExpirationDate,
        string? LastUsed, string? WorkspaceId, string? WorkspaceName, string? CreatedBy, string? Product,
        bool? CanDelete, KeyActions? Actions);

    private sealed record KeyActions(ActionStatus Rotate, ActionStatus Delete);

    private sealed record ActionStatus(string Status);
}
