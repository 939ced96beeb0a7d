using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Monitor.Core.Deprecations;
using Monitor.Core.Keys;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Hosting;

namespace Monitor.Providers;

/// <summary>
/// OpenAI's organization Administration API. Usage of every family the API reports (completions by batch and service
/// tier, embeddings, moderations, images, audio speech and transcription, web and file search calls, code interpreter
/// sessions, vector store bytes), hourly (vector stores daily), grouped by model, project and key where the family
/// allows; daily costs grouped by line item, project and key; admin and project key inventories; models through an
/// ordinary project key (<c>ModelsApiKeyEnv</c>: admin keys may not call <c>/v1/models</c>).
/// <para>
/// Money comes from the cost report, laid over the usage by <see cref="DailyCostSpread"/> per (day, project, key).
/// A cost line's <c>line_item</c> is free text (the spec's own example is <c>input_tokens</c>), so it pays a model's
/// usage only when it can be matched without guessing (<see cref="MatchModels"/>); the rest of the day's bill is a
/// day record with model <c>(unattributed)</c>, and the day's hours then carry 0 of it, their estimate kept beside.
/// Counts that are not tokens (images, seconds, characters, calls, sessions, bytes) are units, never tokens or money.
/// </para>
/// </summary>
public sealed partial class OpenAIConnector(ProviderHttp http, PriceCatalog catalog, TimeProvider clock) : IProviderConnector
{
    /// <summary>The model of a day record holding reported cost that no line item ties to a model of that day's usage.</summary>
    public const string Unattributed = BillSlices.Unattributed;

    /// <summary>The model of usage from families without a model dimension (code interpreter, file search, vector stores).</summary>
    public const string NoModel = "(none)";

    private const string UnknownModel = "(unknown)";
    private const string CostsPath = "/v1/organization/costs";
    private const string ModelsPath = "/v1/models";

    // Completions and embeddings: one day of hourly buckets per page (the API allows 168): with hundreds of keys a
    // week-long page is hundreds of MB. The other families have few rows: a week per page saves most of their requests.
    private const int HourPage = 24;
    private const int SmallFamilyHourPage = 168;
    private const int DayPage = 31;
    private const int CostPage = 180;
    private const int ListPage = 100;

    /// <summary>Every usage family the connector reads, with the group_by values the spec allows it (openapi.yaml l.13996-15380).</summary>
    private static readonly Family[] Families =
    [
        new("completions", ["model", "project_id", "api_key_id", "batch", "service_tier"], BucketWidth.Hour, Measure.Completions, ""),
        new("embeddings", ["model", "project_id", "api_key_id"], BucketWidth.Hour, Measure.InputTokens, ""),
        new("moderations", ["model", "project_id", "api_key_id"], BucketWidth.Hour, Measure.InputTokens, "moderations"),
        new("images", ["model", "project_id", "api_key_id"], BucketWidth.Hour, Measure.Images, "images", "images"),
        new("audio_speeches", ["model", "project_id", "api_key_id"], BucketWidth.Hour, Measure.Characters, "audio_speeches", "characters"),
        new("audio_transcriptions", ["model", "project_id", "api_key_id"], BucketWidth.Hour, Measure.Seconds, "audio_transcriptions", "seconds"),
        new("web_search_calls", ["model", "project_id", "api_key_id"], BucketWidth.Hour, Measure.Calls, "web_search_calls", "calls"),
        new("file_search_calls", ["project_id", "api_key_id"], BucketWidth.Hour, Measure.Calls, "file_search_calls", "calls"),
        new("code_interpreter_sessions", ["project_id"], BucketWidth.Hour, Measure.Sessions, "code_interpreter_sessions", "sessions"),
        // Stored bytes are a level, not a flow: one daily figure per project, as the API reports it for the day.
        new("vector_stores", ["project_id"], BucketWidth.Day, Measure.Bytes, "vector_stores", "bytes"),
    ];

    public ProviderOptions Account => http.Account;

    public DriftLog Drift => http.Drift;

    public IReadOnlyList<(DateTimeOffset From, DateTimeOffset To)> Chunk(DateTimeOffset from, DateTimeOffset to, TimeSpan chunk) =>
        Windows.Days(from, to, chunk); // costs come in whole UTC days

    public async Task<UsagePull> PullUsageAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        from = Windows.FloorDay(from);
        to = Windows.CeilDay(to);
        var records = new RecordFactory(Account, clock.GetUtcNow());
        // Every id comes from the reader's one string pool (or is a literal): the tally compares them by reference.
        var usage = new UsageTally(PooledUsageKeys.Instance);
        var reader = new UsagePageReader();
        foreach (var family in Families)
            await ReadUsageAsync(family, from, to, usage, reader, ct);

        var spread = new DailyCostSpread(usage, key =>
            new DailyCostSpread.Billing(new DailyCostSpread.Bill(Windows.FloorDay(key.BucketStart), key.Workspace, key.KeyId), key.Model));
        await ReadCostsAsync(from, to, spread, ct);
        return new UsagePull("GET /v1/organization/usage+costs", from, to, [.. spread.Records(records, Currency.USD)]);
    }

    public async Task<InventoryPull> PullInventoryAsync(CancellationToken ct)
    {
        var failures = new List<ProviderException>();
        var keys = await InventoryPull.TryAsync(failures, () => KeysAsync(ct));
        // Admin keys may not list models: only with an ordinary project key (ModelsApiKeyEnv); without one the list is skipped.
        var models = string.IsNullOrWhiteSpace(Account.ModelsApiKeyEnv) ? null : await InventoryPull.TryAsync(failures, () => ModelsAsync(ct));
        return new InventoryPull(keys, models, null) { Failures = failures };
    }

    /// <summary>
    /// The models of the usage a cost line pays, or none. The rule, so that nothing is guessed: the line item's text up
    /// to its first comma (<c>gpt-4o-2024-08-06, input</c>; <c>dall-e-3</c>), trimmed and compared without case, must be
    /// the id of a model of that usage; failing that, its id without the date suffix (<c>gpt-4o</c> names
    /// <c>gpt-4o-2024-08-06</c> and every other snapshot of it), or a dated snapshot of a model the usage reports
    /// undated. Anything else pays no usage: a token kind alone (<c>input_tokens</c>, the spec's own example), a tool or
    /// storage line, a display name (<c>GPT-4o mini</c>), or a model with no usage that day.
    /// </summary>
    public static IReadOnlyList<string> MatchModels(string? lineItem, IReadOnlyCollection<string> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        if (string.IsNullOrWhiteSpace(lineItem) || models.Count == 0)
            return [];
        var comma = lineItem.IndexOf(',', StringComparison.Ordinal);
        var head = (comma >= 0 ? lineItem[..comma] : lineItem).Trim().ToLowerInvariant();
        if (head.Length == 0)
            return [];
        var exact = models.Where(m => string.Equals(m, head, StringComparison.OrdinalIgnoreCase)).ToList();
        if (exact.Count > 0)
            return exact; // the line names this very model: its other snapshots are not paid
        var headFamily = PriceCatalog.WithoutDateSuffix(head);
        var named = models.Where(m =>
        {
            var id = m.ToLowerInvariant();
            return PriceCatalog.WithoutDateSuffix(id) == head || (headFamily != head && id == headFamily);
        }).ToList();
        named.Sort(StringComparer.Ordinal);
        return named;
    }

    private async Task ReadUsageAsync(Family family, DateTimeOffset from, DateTimeOffset to, UsageTally usage, UsagePageReader reader, CancellationToken ct)
    {
        var path = "/v1/organization/usage/" + family.Name;
        var endpoint = "GET " + path;
        var width = family.Width == BucketWidth.Day ? "1d" : "1h";
        var limit = family.Width == BucketWidth.Day ? DayPage : family.Measure is Measure.Completions || family.Name == "embeddings" ? HourPage : SmallFamilyHourPage;
        var groups = string.Concat(family.Groups.Select(g => "&group_by=" + g));
        var query = string.Create(CultureInfo.InvariantCulture,
            $"{path}?start_time={from.ToUnixTimeSeconds()}&end_time={to.ToUnixTimeSeconds()}&bucket_width={width}&limit={limit}{groups}");
        void Row(long start, UsagePageReader.Row row) => Add(usage, family, endpoint, start, row);
        void Drifted(string field, string problem) => http.Drift.Report(endpoint, field, problem);

        PageInfo Parse(byte[] body)
        {
            UsagePageReader.Page page;
            try
            {
                page = reader.Read(body, Row, Drifted);
            }
            catch (JsonException e)
            {
                throw http.Fail(endpoint, null, $"malformed JSON in the response: {e.Message}", e);
            }

            if (!page.HasData)
                throw http.Malformed(endpoint, "data", "missing or not an array");
            return new PageInfo(page.Buckets, HasMore: page.HasMore, NextCursor: page.NextPage,
                FirstId: page.FirstStart?.ToString(CultureInfo.InvariantCulture));
        }

        await foreach (var _ in new Pager(http, endpoint).CursorAsync(
            cursor => cursor is null ? query : query + "&page=" + Uri.EscapeDataString(cursor), Parse, info => info, ct))
        {
        }
    }

    private void Add(UsageTally usage, Family family, string endpoint, long bucketStart, UsagePageReader.Row r)
    {
        var start = DateTimeOffset.FromUnixTimeSeconds(bucketStart);
        var model = family.HasModel ? r.Model ?? UnknownModel : NoModel;
        var category = family.Category;
        var tokens = TokenCounts.Zero;
        decimal? estimate = null;
        long units = 0;
        switch (family.Measure)
        {
            case Measure.Completions:
                var input = Required(r.InputTokens, endpoint, "input_tokens");
                var cached = r.InputCachedTokens ?? 0;
                var write = r.InputCacheWriteTokens ?? 0;
                var uncached = r.InputUncachedTokens ?? Math.Max(0, input - cached - write);
                tokens = new TokenCounts(uncached, cached, write, Required(r.OutputTokens, endpoint, "output_tokens"), 0);
                var tier = Tier(r, endpoint);
                category = tier.Category;
                estimate = catalog.Estimate(ProviderKind.OpenAI, model, Currency.USD, start, tokens, tier.BatchRates, tier.PriceTier);
                break;
            case Measure.InputTokens:
                tokens = new TokenCounts(Required(r.InputTokens, endpoint, "input_tokens"), 0, 0, 0, 0);
                estimate = catalog.Estimate(ProviderKind.OpenAI, model, Currency.USD, start, tokens);
                break;
            default:
                var (value, field) = family.Measure switch
                {
                    Measure.Images => (r.Images, "images"),
                    Measure.Characters => (r.Characters, "characters"),
                    Measure.Seconds => (r.Seconds, "seconds"),
                    Measure.Bytes => (r.UsageBytes, "usage_bytes"),
                    Measure.Sessions => (r.NumSessions, "num_sessions"),
                    _ => (r.NumRequests, "num_requests"),
                };
                units = Required(value, endpoint, field);
                break;
        }

        var sums = usage.At(new UsageKey(Account.Name, r.ProjectId ?? "", r.ApiKeyId ?? "", model, start, family.Width, category));
        sums.Tokens += tokens;
        sums.Requests += r.NumModelRequests ?? 0;
        sums.AddEstimate(estimate); // units have no catalog price: unpriced until the cost report pays them
        if (family.Unit.Length > 0)
            sums.AddUnits(units, family.Unit);
    }

    private long Required(long? value, string endpoint, string field)
    {
        if (value is { } v)
            return v;
        http.Drift.Report(endpoint, "data[].results[]." + field, "missing or unreadable (read as 0)");
        return 0;
    }

    /// <summary>
    /// The category and pricing of a completions row: batch at the batch discount; flex at Batch API rates
    /// (developers.openai.com/api/docs/guides/flex-processing); priority at the catalog's priority price where it has
    /// one, else the standard price (the cost report corrects it); scale and unknown tiers at the standard price.
    /// </summary>
    private (string Category, bool BatchRates, string PriceTier) Tier(UsagePageReader.Row r, string endpoint)
    {
        if (r.Batch == true)
            return ("batch", true, "");
        switch (r.ServiceTier)
        {
            case null or "default" or "auto" or "standard":
                return ("", false, "");
            case "flex":
                return ("flex", true, "");
            case "priority":
                return ("priority", false, "priority");
            case "scale":
                return ("scale", false, "");
            case var other:
                http.Drift.Report(endpoint, "data[].results[].service_tier",
                    $"unknown service tier '{other}' (kept as its own category, estimated at the standard price)");
                return (other, false, "");
        }
    }

    private async Task ReadCostsAsync(DateTimeOffset from, DateTimeOffset to, DailyCostSpread spread, CancellationToken ct)
    {
        const string endpoint = "GET " + CostsPath;
        var query = string.Create(CultureInfo.InvariantCulture,
            $"{CostsPath}?start_time={from.ToUnixTimeSeconds()}&end_time={to.ToUnixTimeSeconds()}&bucket_width=1d&limit={CostPage}&group_by=line_item&group_by=project_id&group_by=api_key_id");
        var pages = new Pager(http, endpoint).CursorAsync(
            cursor => cursor is null ? query : query + "&page=" + Uri.EscapeDataString(cursor),
            body => http.Deserialize(endpoint, body, OpenAIJson.Default.CostsPage),
            p => new PageInfo(p.Data?.Count ?? 0, HasMore: p.HasMore, NextCursor: p.NextPage,
                FirstId: p.Data?.FirstOrDefault()?.StartTime?.ToString(CultureInfo.InvariantCulture)),
            ct);
        await foreach (var page in pages)
        {
            foreach (var bucket in page.Data ?? throw http.Malformed(endpoint, "data", "missing or not an array"))
            {
                var day = Windows.FloorDay(DateTimeOffset.FromUnixTimeSeconds(
                    bucket.StartTime ?? throw http.Malformed(endpoint, "data[].start_time", "missing")));
                foreach (var r in bucket.Results ?? [])
                {
                    if (r.Amount?.Value is not { } number)
                    {
                        http.Drift.Report(endpoint, "data[].results[].amount.value", "missing (the line was skipped: it holds no amount)");
                        continue;
                    }

                    if (number.Read(http.Drift, endpoint, "data[].results[].amount.value") is not { } amount)
                        continue;
                    if (!string.Equals(r.Amount.Currency, "usd", StringComparison.OrdinalIgnoreCase))
                        throw http.Malformed(endpoint, "data[].results[].amount.currency", $"'{r.Amount.Currency}' (only usd is expected)");
                    var bill = new DailyCostSpread.Bill(day, r.ProjectId ?? "", r.ApiKeyId ?? "");
                    spread.Add(bill, amount, MatchModels(r.LineItem, spread.Payees(bill)),
                        new UsageKey(Account.Name, bill.Workspace, bill.KeyId, Unattributed, day, BucketWidth.Day));
                }
            }
        }
    }

    private async Task<IReadOnlyList<ApiKeyInfo>> KeysAsync(CancellationToken ct)
    {
        var keys = new List<ApiKeyInfo>();
        await foreach (var k in ListAsync<AdminApiKey>("/v1/organization/admin_api_keys", "", OpenAIJson.Default.ListOfAdminApiKey, k => k.Id, ct))
        {
            keys.Add(new ApiKeyInfo
            {
                KeyId = k.Id ?? throw http.Malformed("GET /v1/organization/admin_api_keys", "data[].id", "missing"),
                Name = k.Name,
                Kind = "admin",
                LastFour = ApiKeyInfo.LastFourOf(k.RedactedValue),
                Owner = k.Owner?.Name ?? k.Owner?.Id,
                CreatedAt = Time(k.CreatedAt),
                ExpiresAt = Time(k.ExpiresAt),
                LastUsedAt = Time(k.LastUsedAt),
            });
        }

        var projects = new List<string>();
        await foreach (var p in ListAsync<Project>("/v1/organization/projects", "", OpenAIJson.Default.ListOfProject, p => p.Id, ct))
            projects.Add(p.Id ?? throw http.Malformed("GET /v1/organization/projects", "data[].id", "missing"));

        foreach (var project in projects)
        {
            // owner_project_access=any lists every enabled key; "inactive" means the owner lost access, not that the key is off.
            await foreach (var k in ListAsync<ProjectApiKey>($"/v1/organization/projects/{Uri.EscapeDataString(project)}/api_keys", "&owner_project_access=any",
                OpenAIJson.Default.ListOfProjectApiKey, k => k.Id, ct))
            {
                var owner = k.Owner;
                keys.Add(new ApiKeyInfo
                {
                    KeyId = k.Id ?? throw http.Malformed("GET /v1/organization/projects/{project_id}/api_keys", "data[].id", "missing"),
                    Name = k.Name,
                    Kind = owner?.Type == "service_account" ? "service_account" : "project",
                    Workspace = project,
                    LastFour = ApiKeyInfo.LastFourOf(k.RedactedValue),
                    Owner = owner?.User?.Email ?? owner?.User?.Name ?? owner?.ServiceAccount?.Name,
                    CreatedAt = Time(k.CreatedAt),
                    LastUsedAt = Time(k.LastUsedAt),
                });
            }
        }

        return keys;
    }

    /// <summary>The model list through the project key of <c>ModelsApiKeyEnv</c>.</summary>
    private async Task<IReadOnlyList<ModelInfo>> ModelsAsync(CancellationToken ct)
    {
        var list = await http.WithKey(Account.ModelsApiKeyEnv, "ModelsApiKeyEnv").GetAsync(ModelsPath, OpenAIJson.Default.ModelList, ct);
        return [.. (list.Data ?? throw http.Malformed("GET " + ModelsPath, "data", "missing or not an array")).Select(m => new ModelInfo
        {
            Model = m.Id ?? throw http.Malformed("GET " + ModelsPath, "data[].id", "missing"),
            ShutdownAt = m.ShutdownDate is { } d && DateOnly.TryParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
                ? new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
                : null,
        })];
    }

    /// <summary>Walks an id-cursor list (<c>limit</c>, <c>after</c>; <c>has_more</c>, <c>last_id</c>) through the pager.</summary>
    private async IAsyncEnumerable<T> ListAsync<T>(
        string path, string parameters, System.Text.Json.Serialization.Metadata.JsonTypeInfo<ListOf<T>> type, Func<T, string?> id,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var endpoint = "GET " + path;
        var query = string.Create(CultureInfo.InvariantCulture, $"{path}?limit={ListPage}{parameters}");
        var pages = new Pager(http, endpoint).CursorAsync(
            after => after is null ? query : query + "&after=" + Uri.EscapeDataString(after),
            body => http.Deserialize(endpoint, body, type),
            p => new PageInfo(p.Data?.Count ?? 0, HasMore: p.HasMore, NextCursor: p.LastId ?? (p.Data is { Count: > 0 } d ? id(d[^1]) : null),
                FirstId: p.Data is { Count: > 0 } f ? id(f[0]) : null),
            ct);
        await foreach (var page in pages)
        {
            foreach (var item in page.Data ?? throw http.Malformed(endpoint, "data", "missing or not an array"))
                yield return item;
        }
    }

    private static DateTimeOffset? Time(long? unixSeconds) => unixSeconds is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null;

    private enum Measure
    {
        Completions,
        InputTokens,
        Images,
        Characters,
        Seconds,
        Bytes,
        Sessions,
        Calls,
    }

    /// <summary>One usage family: its path segment, group_by values, bucket width, what it counts, its category and unit.</summary>
    private sealed record Family(string Name, string[] Groups, BucketWidth Width, Measure Measure, string Category, string Unit = "")
    {
        public bool HasModel { get; } = Groups.Contains("model");
    }

    // The wire formats (openapi.yaml: CostsResult l.32769, AdminApiKey l.28523, Project l.45428, ProjectApiKey l.45486, Model l.44370).
    private sealed class CostsPage
    {
        public List<CostBucket>? Data { get; set; }
        public bool? HasMore { get; set; }
        public string? NextPage { get; set; }
    }

    private sealed class CostBucket
    {
        public long? StartTime { get; set; }
        public List<CostResult>? Results { get; set; }
    }

    private sealed class CostResult
    {
        public CostAmount? Amount { get; set; }
        public string? LineItem { get; set; }
        public string? ProjectId { get; set; }
        public string? ApiKeyId { get; set; }
    }

    private sealed class CostAmount
    {
        public JsonNumber? Value { get; set; }
        public string? Currency { get; set; }
    }

    private sealed class ListOf<T>
    {
        public List<T>? Data { get; set; }
        public bool? HasMore { get; set; }
        public string? LastId { get; set; }
    }

    private sealed class AdminApiKey
    {
        public string? Id { get; set; }
        public string? Name { get; set; }
        public string? RedactedValue { get; set; }
        public long? CreatedAt { get; set; }
        public long? ExpiresAt { get; set; }
        public long? LastUsedAt { get; set; }
        public AdminKeyOwner? Owner { get; set; }
    }

    private sealed class AdminKeyOwner
    {
        public string? Id { get; set; }
        public string? Name { get; set; }
    }

    private sealed class Project
    {
        public string? Id { get; set; }
    }

    private sealed class ProjectApiKey
    {
        public string? Id { get; set; }
        public string? Name { get; set; }
        public string? RedactedValue { get; set; }
        public long? CreatedAt { get; set; }
        public long? LastUsedAt { get; set; }
        public ProjectKeyOwner? Owner { get; set; }
    }

    private sealed class ProjectKeyOwner
    {
        public string? Type { get; set; }
        public OwnerUser? User { get; set; }
        public OwnerUser? ServiceAccount { get; set; }
    }

    private sealed class OwnerUser
    {
        public string? Name { get; set; }
        public string? Email { get; set; }
    }

    private sealed class ModelList
    {
        public List<Model>? Data { get; set; }
    }

    private sealed class Model
    {
        public string? Id { get; set; }
        public string? ShutdownDate { get; set; }
    }

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
    [JsonSerializable(typeof(CostsPage))]
    [JsonSerializable(typeof(ListOf<AdminApiKey>))]
    [JsonSerializable(typeof(ListOf<Project>))]
    [JsonSerializable(typeof(ListOf<ProjectApiKey>))]
    [JsonSerializable(typeof(ModelList))]
    private sealed partial class OpenAIJson : JsonSerializerContext;
}
