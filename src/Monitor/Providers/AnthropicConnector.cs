using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Serialization;
using Monitor.Core.Keys;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Hosting;

namespace Monitor.Providers;

/// <summary>
/// Anthropic's Admin API (<c>x-api-key</c> with an admin key, <c>anthropic-version</c>): the hourly messages usage
/// report grouped by model, API key, workspace, service tier and context window; the daily cost report grouped by
/// workspace and description (amounts are decimal strings in cents); the API key inventory.
/// <para>
/// Money: the cost report's token lines name model, service tier (standard or batch) and context window, so each pays
/// exactly the usage of that model, tier and window in its workspace and day (spread over keys and hours by estimate,
/// through <see cref="DailyCostSpread"/>); web search cost pays the day's web search calls. Priority Tier cost is not
/// in the cost report (platform.claude.com/docs/en/manage-claude/usage-cost-api): priority usage is costed from the
/// price catalog, marked estimated, and never paid from the standard bill. Code execution and session runtime, which
/// the usage report does not count, are day records of their own; a cost type this connector does not know is kept
/// the same way and reported as drift.
/// </para>
/// <para>
/// Categories: "" standard within 200k; <c>long_context</c> (200k-1M input); <c>batch</c>; <c>priority</c>;
/// <c>priority_on_demand</c>; <c>flex</c>; <c>flex_discount</c>; combined as <c>batch.long_context</c> and so on;
/// <c>web_search</c> (calls); <c>code_execution</c>, <c>session_usage</c> (money only). No request counts, no last-used
/// dates, no model lifecycle in this API.
/// </para>
/// </summary>
public sealed partial class AnthropicConnector(ProviderHttp http, PriceCatalog catalog, TimeProvider clock) : IProviderConnector
{
    public const string ApiVersion = "2023-06-01";

    private const string UsagePath = "/v1/organizations/usage_report/messages";
    private const string CostPath = "/v1/organizations/cost_report";
    private const string KeysPath = "/v1/organizations/api_keys";
    private const string UsageEndpoint = "GET " + UsagePath;
    private const string CostEndpoint = "GET " + CostPath;
    private const int HourPage = 168;
    private const int DayPage = 31;
    private const int KeyPage = 100;
    private const string UnknownModel = "(unknown)";
    private const string ShortContext = "0-200k";
    private const string LongContext = "200k-1M";
    private const string WebSearch = "web_search";

    /// <summary>Tiers whose cost the cost report carries (its <c>service_tier</c> is standard or batch).</summary>
    private static readonly string[] BilledTiers = ["standard", "batch"];

    public ProviderOptions Account => http.Account;

    public DriftLog Drift => http.Drift;

    /// <summary>Anthropic's auth: the admin key in <c>x-api-key</c> and the API version header (no Bearer).</summary>
    public static void Authorize(HttpRequestHeaders headers, string key)
    {
        ArgumentNullException.ThrowIfNull(headers);
        headers.Add("x-api-key", key);
        headers.Add("anthropic-version", ApiVersion);
    }

    public IReadOnlyList<(DateTimeOffset From, DateTimeOffset To)> Chunk(DateTimeOffset from, DateTimeOffset to, TimeSpan chunk) =>
        Windows.Days(from, to, chunk); // costs come in whole UTC days

    public async Task<UsagePull> PullUsageAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        from = Windows.FloorDay(from);
        to = Windows.CeilDay(to);
        var records = new RecordFactory(Account, clock.GetUtcNow());
        var usage = new UsageTally();
        var tiers = new Dictionary<UsageKey, string>(); // the billing tier of each token usage identity
        await ReadUsageAsync(from, to, usage, tiers, ct);
        var costs = await ReadCostsAsync(from, to, ct);

        // Tiers the cost report carries: standard and batch as documented, and any other it turns out to carry
        // (then that usage is paid from the report rather than estimated beside it: never both).
        var reported = BilledTiers.Concat(costs.Select(c => c.Row.ServiceTier).OfType<string>()).ToHashSet(StringComparer.Ordinal);
        var spread = new DailyCostSpread(usage, key =>
        {
            var bill = new DailyCostSpread.Bill(Windows.FloorDay(key.BucketStart), key.Workspace, "");
            if (key.Category == WebSearch)
                return new DailyCostSpread.Billing(bill, WebSearch);
            var tier = tiers[key];
            return reported.Contains(tier.Split('|')[0]) ? new DailyCostSpread.Billing(bill, $"{key.Model}|{tier}") : null;
        });
        foreach (var (day, row, usd) in costs)
            AddCost(spread, day, row, usd);
        return new UsagePull("GET /v1/organizations/usage_report+cost_report", from, to, [.. spread.Records(records, Currency.USD)]);
    }

    public async Task<InventoryPull> PullInventoryAsync(CancellationToken ct)
    {
        var failures = new List<ProviderException>();
        var keys = await InventoryPull.TryAsync(failures, () => KeysAsync(ct));
        // No deprecation data in the Admin API (a shipped lifecycle file comes later); no spend limit or balance endpoint.
        return new InventoryPull(keys, null, null) { Failures = failures };
    }

    private async Task ReadUsageAsync(DateTimeOffset from, DateTimeOffset to, UsageTally usage, Dictionary<UsageKey, string> tiers, CancellationToken ct)
    {
        var query = string.Create(CultureInfo.InvariantCulture,
            $"{UsagePath}?starting_at={Rfc3339(from)}&ending_at={Rfc3339(to)}&bucket_width=1h&limit={HourPage}")
            + "&group_by[]=model&group_by[]=api_key_id&group_by[]=workspace_id&group_by[]=service_tier&group_by[]=context_window";
        await foreach (var page in Pages(query, UsageEndpoint, AnthropicJson.Default.UsagePage, p => p.Data, p => p.HasMore, p => p.NextPage, b => b.StartingAt, ct))
        {
            foreach (var bucket in page.Data!)
            {
                var start = bucket.StartingAt ?? throw http.Malformed(UsageEndpoint, "data[].starting_at", "missing");
                foreach (var r in bucket.Results ?? [])
                    AddUsage(usage, tiers, start, r);
            }
        }
    }

    private void AddUsage(UsageTally usage, Dictionary<UsageKey, string> tiers, DateTimeOffset start, UsageRow r)
    {
        var model = r.Model ?? UnknownModel;
        var workspace = r.WorkspaceId ?? "";
        var apiKey = r.ApiKeyId ?? "";
        var tier = r.ServiceTier ?? "standard";
        var context = r.ContextWindow ?? ShortContext;
        var tokens = new TokenCounts(
            Count(r.UncachedInputTokens, "uncached_input_tokens"), Count(r.CacheReadInputTokens, "cache_read_input_tokens"),
            CacheWrite(r), Count(r.OutputTokens, "output_tokens"), 0);
        var estimate = catalog.Estimate(ProviderKind.Anthropic, model, Currency.USD, start, tokens,
            batch: tier == "batch", tier: context == LongContext ? "long_context" : tier is "priority" or "priority_on_demand" ? "priority" : "");
        var key = new UsageKey(Account.Name, workspace, apiKey, model, start, BucketWidth.Hour, Category(tier, context));
        var sums = usage.At(key);
        sums.Tokens += tokens;
        sums.AddEstimate(estimate);
        // The cost report's service_tier is standard or batch: flex tiers, and tiers this connector does not know, are
        // billed on its standard lines (never estimated beside them); priority tiers are not in it.
        tiers[key] = $"{(tier is "batch" or "priority" or "priority_on_demand" ? tier : "standard")}|{context}";

        if (r.ServerToolUse?.WebSearchRequests?.ReadCount(http.Drift, UsageEndpoint, "data[].results[].server_tool_use.web_search_requests") is > 0 and var searches)
        {
            var calls = usage.At(key with { Category = WebSearch });
            calls.AddUnits(searches, "calls");
            calls.AddEstimate(null); // the catalog prices tokens only; the cost report's web search line pays these
        }
    }

    /// <summary>The category of a tier and context window: "" for standard within 200k, else their names joined by a dot.</summary>
    private string Category(string tier, string context, string endpoint = UsageEndpoint)
    {
        var tierPart = tier switch
        {
            "standard" => "",
            "batch" or "priority" or "priority_on_demand" or "flex" or "flex_discount" => tier,
            _ => Unknown(endpoint, "service_tier", tier),
        };
        var contextPart = context switch
        {
            ShortContext => "",
            LongContext => "long_context",
            _ => Unknown(endpoint, "context_window", context),
        };
        return tierPart.Length == 0 ? contextPart : contextPart.Length == 0 ? tierPart : tierPart + "." + contextPart;
    }

    private string Unknown(string endpoint, string field, string value)
    {
        http.Drift.Report(endpoint, "data[].results[]." + field,
            $"unknown value '{value}' (kept as its own category, estimated at the standard price)");
        return value;
    }

    private long Count(JsonNumber? value, string field)
    {
        var path = "data[].results[]." + field;
        if (value is not { } number)
        {
            http.Drift.Report(UsageEndpoint, path, "missing (read as 0)");
            return 0;
        }

        return number.ReadCount(http.Drift, UsageEndpoint, path) ?? 0;
    }

    /// <summary>
    /// Cache writes: the nested <c>cache_creation</c> object (API reference), both TTLs summed. A flattened
    /// <c>cache_creation_5m/1h_input_tokens</c> pair (seen in a third-party spec) is accepted too.
    /// </summary>
    private long CacheWrite(UsageRow r)
    {
        if (r.CacheCreation is { } nested)
        {
            return (nested.Ephemeral1hInputTokens?.ReadCount(http.Drift, UsageEndpoint, "data[].results[].cache_creation.ephemeral_1h_input_tokens") ?? 0)
                + (nested.Ephemeral5mInputTokens?.ReadCount(http.Drift, UsageEndpoint, "data[].results[].cache_creation.ephemeral_5m_input_tokens") ?? 0);
        }

        if (r.CacheCreation1hInputTokens is null && r.CacheCreation5mInputTokens is null)
        {
            http.Drift.Report(UsageEndpoint, "data[].results[].cache_creation", "missing (cache writes read as 0)");
            return 0;
        }

        return (r.CacheCreation1hInputTokens?.ReadCount(http.Drift, UsageEndpoint, "data[].results[].cache_creation_1h_input_tokens") ?? 0)
            + (r.CacheCreation5mInputTokens?.ReadCount(http.Drift, UsageEndpoint, "data[].results[].cache_creation_5m_input_tokens") ?? 0);
    }

    /// <summary>The cost report's lines in USD (amounts are cents), each with its day.</summary>
    private async Task<List<(DateTimeOffset Day, CostRow Row, decimal Usd)>> ReadCostsAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var lines = new List<(DateTimeOffset, CostRow, decimal)>();
        var query = string.Create(CultureInfo.InvariantCulture,
            $"{CostPath}?starting_at={Rfc3339(from)}&ending_at={Rfc3339(to)}&bucket_width=1d&limit={DayPage}&group_by[]=workspace_id&group_by[]=description");
        await foreach (var page in Pages(query, CostEndpoint, AnthropicJson.Default.CostPage, p => p.Data, p => p.HasMore, p => p.NextPage, b => b.StartingAt, ct))
        {
            foreach (var bucket in page.Data!)
            {
                var day = Windows.FloorDay(bucket.StartingAt ?? throw http.Malformed(CostEndpoint, "data[].starting_at", "missing"));
                foreach (var r in bucket.Results ?? [])
                {
                    if (r.Amount is not { } amount)
                    {
                        http.Drift.Report(CostEndpoint, "data[].results[].amount", "missing (the line was skipped: it holds no amount)");
                        continue;
                    }

                    if (amount.Read(http.Drift, CostEndpoint, "data[].results[].amount") is not { } cents)
                        continue;
                    if (r.Currency is { } currency && !string.Equals(currency, "USD", StringComparison.OrdinalIgnoreCase))
                        throw http.Malformed(CostEndpoint, "data[].results[].currency", $"'{currency}' (only USD is expected)");
                    if (r.ServiceTier is { } tier && !BilledTiers.Contains(tier))
                    {
                        http.Drift.Report(CostEndpoint, "data[].results[].service_tier",
                            $"'{tier}' in the cost report, which documents standard and batch only (that usage is paid from the report, not estimated)");
                    }

                    lines.Add((day, r, cents / 100m)); // amounts are cents
                }
            }
        }

        return lines;
    }

    /// <summary>One cost line onto the bill of its workspace and day: tokens pay their model, tier and window; web search its calls.</summary>
    private void AddCost(DailyCostSpread spread, DateTimeOffset day, CostRow r, decimal usd)
    {
        var bill = new DailyCostSpread.Bill(day, r.WorkspaceId ?? "", "");
        UsageKey DayRecord(string model, string category) => new(Account.Name, bill.Workspace, "", model, day, BucketWidth.Day, category);
        switch (r.CostType)
        {
            case "tokens" or null when r.Model is { } model:
                string[] tiers = r.ServiceTier is { } t ? [t] : BilledTiers;
                string[] windows = r.ContextWindow is { } w ? [w] : [ShortContext, LongContext];
                var payees = tiers.SelectMany(t => windows.Select(w => $"{model}|{t}|{w}")).ToList();
                spread.Add(bill, usd, payees, DayRecord(model, Category(r.ServiceTier ?? "standard", r.ContextWindow ?? ShortContext, CostEndpoint)));
                break;
            case "tokens" or null:
                spread.Add(bill, usd, [], DayRecord(OpenAIConnector.Unattributed, ""));
                break;
            case WebSearch:
                spread.Add(bill, usd, [WebSearch], DayRecord(OpenAIConnector.Unattributed, WebSearch));
                break;
            case "code_execution" or "session_usage":
                spread.Add(bill, usd, [], DayRecord(OpenAIConnector.Unattributed, r.CostType));
                break;
            default:
                http.Drift.Report(CostEndpoint, "data[].results[].cost_type",
                    $"unknown cost type '{r.CostType}' (its money is kept as a day record of its own category)");
                spread.Add(bill, usd, [], DayRecord(r.Model ?? OpenAIConnector.Unattributed, r.CostType));
                break;
        }
    }

    private async Task<IReadOnlyList<ApiKeyInfo>> KeysAsync(CancellationToken ct)
    {
        const string endpoint = "GET " + KeysPath;
        var keys = new List<ApiKeyInfo>();
        var query = string.Create(CultureInfo.InvariantCulture, $"{KeysPath}?limit={KeyPage}");
        var pages = new Pager(http, endpoint).CursorAsync(
            after => after is null ? query : query + "&after_id=" + Uri.EscapeDataString(after),
            body => http.Deserialize(endpoint, body, AnthropicJson.Default.KeyList),
            p => new PageInfo(p.Data?.Count ?? 0, HasMore: p.HasMore, NextCursor: p.LastId ?? (p.Data is { Count: > 0 } d ? d[^1].Id : null),
                FirstId: p.Data is { Count: > 0 } f ? f[0].Id : null),
            ct);
        await foreach (var page in pages)
        {
            foreach (var k in page.Data ?? throw http.Malformed(endpoint, "data", "missing or not an array"))
            {
                var status = k.Status ?? throw http.Malformed(endpoint, "data[].status", "missing");
                keys.Add(new ApiKeyInfo
                {
                    KeyId = k.Id ?? throw http.Malformed(endpoint, "data[].id", "missing"),
                    Name = k.Name,
                    Workspace = k.WorkspaceId ?? k.Scope?.WorkspaceId ?? "", // null = default workspace
                    LastFour = ApiKeyInfo.LastFourOf(k.PartialKeyHint),
                    Owner = k.CreatedBy?.Id,
                    Status = status.ToLowerInvariant() switch
                    {
                        "inactive" => "disabled",
                        var s => s,
                    },
                    CreatedAt = k.CreatedAt,
                    ExpiresAt = k.ExpiresAt,
                    LastUsedAt = null, // Anthropic lists no last-used time
                });
            }
        }

        return keys;
    }

    /// <summary>Walks a report through its <c>next_page</c> cursor (while <c>has_more</c>) with the pager.</summary>
    private IAsyncEnumerable<TPage> Pages<TPage, TBucket>(
        string query, string endpoint, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TPage> type, Func<TPage, List<TBucket>?> data,
        Func<TPage, bool?> hasMore, Func<TPage, string?> next, Func<TBucket, DateTimeOffset?> start, CancellationToken ct) =>
        new Pager(http, endpoint).CursorAsync(
            cursor => cursor is null ? query : query + "&page=" + Uri.EscapeDataString(cursor),
            body =>
            {
                var page = http.Deserialize(endpoint, body, type);
                return data(page) is null ? throw http.Malformed(endpoint, "data", "missing or not an array") : page;
            },
            p => new PageInfo(data(p)!.Count, HasMore: hasMore(p), NextCursor: next(p),
                FirstId: data(p) is { Count: > 0 } d ? start(d[0])?.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) : null),
            ct);

    private static string Rfc3339(DateTimeOffset t) =>
        Uri.EscapeDataString(t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));

    // The wire formats (platform.claude.com/docs/en/api/admin/usage_report/retrieve_messages, .../cost_report/retrieve,
    // .../api_keys/list).
    private sealed class UsagePage
    {
        public List<UsageBucket>? Data { get; set; }
        public bool? HasMore { get; set; }
        public string? NextPage { get; set; }
    }

    private sealed class UsageBucket
    {
        public DateTimeOffset? StartingAt { get; set; }
        public List<UsageRow>? Results { get; set; }
    }

    private sealed class UsageRow
    {
        public JsonNumber? UncachedInputTokens { get; set; }
        public JsonNumber? CacheReadInputTokens { get; set; }
        public CacheCreation? CacheCreation { get; set; }

        [JsonPropertyName("cache_creation_1h_input_tokens")]
        public JsonNumber? CacheCreation1hInputTokens { get; set; }

        [JsonPropertyName("cache_creation_5m_input_tokens")]
        public JsonNumber? CacheCreation5mInputTokens { get; set; }

        public JsonNumber? OutputTokens { get; set; }
        public ServerToolUse? ServerToolUse { get; set; }
        public string? ApiKeyId { get; set; }
        public string? WorkspaceId { get; set; }
        public string? Model { get; set; }
        public string? ServiceTier { get; set; }
        public string? ContextWindow { get; set; }
    }

    private sealed class CacheCreation
    {
        [JsonPropertyName("ephemeral_1h_input_tokens")]
        public JsonNumber? Ephemeral1hInputTokens { get; set; }

        [JsonPropertyName("ephemeral_5m_input_tokens")]
        public JsonNumber? Ephemeral5mInputTokens { get; set; }
    }

    private sealed class ServerToolUse
    {
        public JsonNumber? WebSearchRequests { get; set; }
    }

    private sealed class CostPage
    {
        public List<CostBucket>? Data { get; set; }
        public bool? HasMore { get; set; }
        public string? NextPage { get; set; }
    }

    private sealed class CostBucket
    {
        public DateTimeOffset? StartingAt { get; set; }
        public List<CostRow>? Results { get; set; }
    }

    private sealed class CostRow
    {
        public JsonNumber? Amount { get; set; }
        public string? Currency { get; set; }
        public string? WorkspaceId { get; set; }
        public string? Description { get; set; }
        public string? CostType { get; set; }
        public string? ContextWindow { get; set; }
        public string? Model { get; set; }
        public string? ServiceTier { get; set; }
        public string? TokenType { get; set; }
    }

    private sealed class KeyList
    {
        public List<ApiKey>? Data { get; set; }
        public bool? HasMore { get; set; }
        public string? LastId { get; set; }
    }

    private sealed class ApiKey
    {
        public string? Id { get; set; }
        public string? Name { get; set; }
        public string? WorkspaceId { get; set; }
        public KeyScope? Scope { get; set; }
        public string? PartialKeyHint { get; set; }
        public Actor? CreatedBy { get; set; }
        public string? Status { get; set; }
        public DateTimeOffset? CreatedAt { get; set; }
        public DateTimeOffset? ExpiresAt { get; set; }
    }

    private sealed class KeyScope
    {
        public string? WorkspaceId { get; set; }
    }

    private sealed class Actor
    {
        public string? Id { get; set; }
    }

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
    [JsonSerializable(typeof(UsagePage))]
    [JsonSerializable(typeof(CostPage))]
    [JsonSerializable(typeof(KeyList))]
    private sealed partial class AnthropicJson : JsonSerializerContext;
}
