using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Monitor.Demo;

/// <summary>
/// The Mistral side of <see cref="FakeProviderServer"/>: <c>/v1/models</c> (a workspace key, bearer) and the admin API
/// (workspaces, usage, spend limit, API keys; the admin key in <c>x-api-key</c>), in the shapes of
/// <c>tests/Fixtures/mistral</c>. Usage comes as dated rows per model, group and day with <c>value</c> and
/// <c>value_paid</c> and no amount; money is their product with <c>prices[]</c>. Models an alias points at are keyed
/// <c>alias::model</c>. The "Support Bot" workspace is archived: only the <c>is_archived=true</c> listing shows it, but
/// its usage is served, and the organisation total (no <c>workspace_id</c>) counts every workspace.
/// </summary>
internal static class FakeMistralEndpoints
{
    private const string Deprecated = "mistral-medium-2505";
    private const string Archived = "Support Bot";
    private const decimal SpendLimit = 500.0m;

    /// <summary>Admin routes take the admin key in <c>x-api-key</c> (Mistral's admin docs); the model list a workspace key as bearer.</summary>
    public static bool IsAuthorized(HttpRequest request, string apiKey) =>
        request.Path.Value?.Contains("/v1/admin/", StringComparison.Ordinal) == true
            ? FakeProviderServer.SameSecret(request.Headers["x-api-key"].ToString(), apiKey)
            : FakeProviderMount.Bearer(request, apiKey);

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
        var archived = string.Equals(request.Query["is_archived"].ToString(), "true", StringComparison.OrdinalIgnoreCase);

        var search = request.Query["search"].ToString();
        var all = s.Workspaces
            .Where(w => w.Provider == DemoScenario.Mistral && (w.Name == Archived) == archived)
            .Where(w => search.Length == 0 || w.Name.Contains(search, StringComparison.OrdinalIgnoreCase))
            .ToArray();
        var items = all.Skip((page - 1) * pageSize).Take(pageSize)
            .Select(w => new WorkspaceOut(w.Id, w.Name, $"{w.Name} workspace", null,
                s.Keys.Count(k => k.WorkspaceId == w.Id) + 2, null, w.Name == "Product Team"))
            .ToArray();
        return Results.Json(new WorkspaceList(all.Length, items, "list", page, pageSize), FakeProviderServer.Json);
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
        var aliasOf = s.Lifecycle.AliasTargets.GroupBy(t => t.Value).ToDictionary(g => g.Key, g => g.Select(t => t.Key).Min(StringComparer.Ordinal)!);
        var models = new SortedDictionary<string, Dictionary<string, List<Row>>>(StringComparer.Ordinal);
        foreach (var model in HoursIn(s, monthStart, monthEnd, workspace).GroupBy(h => h.Model))
        {
            // A model an alias points at is called through it: its map key is "alias::model".
            var alias = aliasOf.GetValueOrDefault(model.Key);
            var groups = new Dictionary<string, List<Row>>(StringComparer.Ordinal);
            foreach (var day in model.GroupBy(h => h.HourStart.UtcDateTime.Date).OrderBy(d => d.Key))
            {
                void Add(string group, long tokens)
                {
                    if (tokens == 0)
                        return;
                    if (!groups.TryGetValue(group, out var rows))
                        groups[group] = rows = [];
                    rows.Add(new Row("usage", "api_tokens", model.Key, alias ?? model.Key, group,
                        day.Key.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), tokens, tokens, "global", "standard"));
                }

                Add("input", day.Sum(h => h.InputTokens));
                Add("cached", day.Sum(h => h.CachedInputTokens));
                Add("output", day.Sum(h => h.OutputTokens));
            }

            models[alias is null ? model.Key : $"{alias}::{model.Key}"] = groups;
        }

        var previous = monthStart.AddMonths(-1);
        var hasPrevious = monthStart > s.Start && previous < s.End;
        var hasNext = monthEnd < s.End;
        var body = new UsageOut(
            Completion: new ModelUsage(models),
            Ocr: ModelUsage.Empty, Connectors: ModelUsage.Empty,
            LibrariesApi: new LibrariesUsage(ModelUsage.Empty, ModelUsage.Empty, ModelUsage.Empty),
            FineTuning: new FineTuningUsage(new Dictionary<string, object>(), new Dictionary<string, long>()),
            Audio: ModelUsage.Empty, AudioCharacters: ModelUsage.Empty,
            VibeUsage: 0,
            VibeCode: new VibeCodeUsage(ModelUsage.Empty, ModelUsage.Empty, ModelUsage.Empty, ModelUsage.Empty, ModelUsage.Empty),
            Chat: ModelUsage.Empty,
            Date: Iso(monthStart),
            PreviousMonth: hasPrevious ? previous.ToString("yyyy-MM", CultureInfo.InvariantCulture) : null,
            NextMonth: hasNext ? monthEnd.ToString("yyyy-MM", CultureInfo.InvariantCulture) : null,
            StartDate: Iso(monthStart),
            EndDate: monthEnd.AddMilliseconds(-1).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
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
            yield return PriceRow("api_tokens", price.Model, "input", price.InputPerMillion / 1_000_000m);
            yield return PriceRow("api_tokens", price.Model, "cached", price.CachedInputPerMillion / 1_000_000m);
            if (price.OutputPerMillion > 0)
                yield return PriceRow("api_tokens", price.Model, "output", price.OutputPerMillion / 1_000_000m);
        }

        // The same metric and group priced again for another event type (audio input, per second): a token row must not take it.
        yield return PriceRow("api_audio_seconds", "mistral-large-2512", "input", 0.0001m);
    }

    private static PriceData PriceRow(string eventType, string metric, string group, decimal perUnit) =>
        new(eventType, metric, group, "global", "standard", perUnit.ToString("0.0000000000##", CultureInfo.InvariantCulture));

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

    private sealed record WorkspaceList(int Total, IReadOnlyList<WorkspaceOut> Items, string Object, int Page, int PageSize);

    private sealed record WorkspaceOut(
        string Uuid, string Name, string? Description, string? Icon, int MembersCount, object? SpendLimit, bool IsDefault);

    private sealed record UsageOut(
        ModelUsage Completion, ModelUsage Ocr, ModelUsage Connectors, LibrariesUsage LibrariesApi, FineTuningUsage FineTuning,
        ModelUsage Audio, ModelUsage AudioCharacters, decimal VibeUsage, VibeCodeUsage VibeCode, ModelUsage Chat,
        string Date, string? PreviousMonth, string? NextMonth, string StartDate, string EndDate,
        string Currency, string CurrencySymbol, IReadOnlyList<PriceData> Prices);

    private sealed record ModelUsage(IDictionary<string, Dictionary<string, List<Row>>> Models)
    {
        public static ModelUsage Empty => new(new Dictionary<string, Dictionary<string, List<Row>>>());
    }

    /// <summary>One usage row: units used (<c>value</c>) and billable (<c>value_paid</c>) of one model, group and day.</summary>
    private sealed record Row(
        string UsageType, string EventType, string BillingMetric, string BillingDisplayName, string BillingGroup,
        string Timestamp, long Value, long ValuePaid, string ApiZone, string ServiceTier);

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
