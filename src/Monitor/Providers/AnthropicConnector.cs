using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Monitor.Core.Keys;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Hosting;

namespace Monitor.Providers;

/// <summary>
/// Anthropic's Admin API (<c>x-api-key</c> with an admin key, <c>anthropic-version</c>): hourly messages usage grouped
/// by model, API key and workspace; daily cost report grouped by workspace and description (amounts are decimal
/// strings in cents); the API key inventory. The cost report has no key dimension: a day's reported cost of a
/// workspace and model is spread over that day's hourly records of the same workspace and model in proportion to
/// their estimates, so the ledger sums to what Anthropic bills; cost rows with no matching usage (web search, code
/// execution) become daily records of their own. No request counts, no last-used dates, no model lifecycle here.
/// </summary>
public sealed class AnthropicConnector(ProviderHttp http, PriceCatalog catalog, TimeProvider clock) : IProviderConnector
{
    public const string ApiVersion = "2023-06-01";

    private const string UsagePath = "/v1/organizations/usage_report/messages";
    private const string CostPath = "/v1/organizations/cost_report";
    private const string KeysPath = "/v1/organizations/api_keys";
    private const int HourPage = 168;
    private const int DayPage = 31;
    private const int KeyPage = 100;
    private const string UnknownModel = "(unknown)";

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
        var ingestedAt = clock.GetUtcNow();
        var hours = await ReadUsageAsync(from, to, ct);
        var (costs, extras) = await ReadCostsAsync(from, to, ct);
        return new UsagePull("GET /v1/organizations/usage_report+cost_report", from, to, Merge(hours, costs, extras, ingestedAt));
    }

    public async Task<InventoryPull> PullInventoryAsync(CancellationToken ct)
    {
        const string endpoint = "GET " + KeysPath;
        var keys = new List<ApiKeyInfo>();
        string? after = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        do
        {
            var query = string.Create(CultureInfo.InvariantCulture, $"{KeysPath}?limit={KeyPage}")
                + (after is null ? "" : "&after_id=" + Uri.EscapeDataString(after));
            using var document = await http.GetJsonAsync(query, ct);
            var root = document.RootElement;
            if (root.Get("data") is not { ValueKind: JsonValueKind.Array } data)
                throw http.Malformed(endpoint, "data", "missing or not an array");
            string? last = null;
            foreach (var k in data.EnumerateArray())
            {
                var key = Key(k);
                last = key.KeyId;
                keys.Add(key);
            }

            after = root.Bool("has_more") == true ? root.Str("last_id") ?? last : null;
            if (after is not null && !seen.Add(after))
                throw http.Malformed(endpoint, "last_id", "the same cursor came back twice (paging would never end)");
        }
        while (after is not null);

        // No deprecation data in the Admin API (a shipped lifecycle file comes later); no spend limit or balance endpoint.
        return new InventoryPull(keys, null, null);
    }

    private ApiKeyInfo Key(JsonElement k)
    {
        const string endpoint = "GET " + KeysPath;
        var status = k.Str("status") ?? throw http.Malformed(endpoint, "data[].status", "missing");
        return new ApiKeyInfo
        {
            KeyId = k.Str("id") ?? throw http.Malformed(endpoint, "data[].id", "missing"),
            Name = k.Str("name"),
            Workspace = k.Str("workspace_id") ?? k.Get("scope")?.Str("workspace_id") ?? "", // null = default workspace
            LastFour = ApiKeyInfo.LastFourOf(k.Str("partial_key_hint")),
            Owner = k.Get("created_by")?.Str("email") ?? k.Get("created_by")?.Str("id"),
            Status = status.ToLowerInvariant() switch
            {
                "inactive" => "disabled",
                var s => s,
            },
            CreatedAt = k.Time("created_at"),
            ExpiresAt = k.Time("expires_at"),
            LastUsedAt = null, // Anthropic lists no last-used time
        };
    }

    private async Task<Dictionary<UsageKey, Hour>> ReadUsageAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        const string endpoint = "GET " + UsagePath;
        var hours = new Dictionary<UsageKey, Hour>();
        const string parameters = "&bucket_width=1h&group_by[]=model&group_by[]=api_key_id&group_by[]=workspace_id";
        await foreach (var bucket in PagesAsync(UsagePath, string.Create(CultureInfo.InvariantCulture, $"{parameters}&limit={HourPage}"), from, to, ct))
        {
            var start = bucket.Time("starting_at") ?? throw http.Malformed(endpoint, "data[].starting_at", "missing or not a time");
            foreach (var r in bucket.Array("results"))
            {
                var tokens = new TokenCounts(
                    Count(r, "uncached_input_tokens"), Count(r, "cache_read_input_tokens"), CacheWrite(r), Count(r, "output_tokens"), 0);
                var model = r.Str("model") ?? UnknownModel;
                var key = new UsageKey(Account.Name, r.Str("workspace_id") ?? "", r.Str("api_key_id") ?? "", model, start, BucketWidth.Hour);
                var estimate = catalog.Estimate(ProviderKind.Anthropic, model, Currency.USD, start, tokens);
                var hour = hours.TryGetValue(key, out var h) ? h : new Hour();
                hour.Tokens += tokens;
                hour.Priced &= estimate is not null;
                hour.Estimate += estimate ?? 0m;
                hours[key] = hour;
            }
        }

        return hours;
    }

    private long Count(JsonElement row, string field) =>
        row.Long(field) ?? throw http.Malformed("GET " + UsagePath, "results[]." + field, "missing or not a number");

    /// <summary>
    /// Cache writes: the nested <c>cache_creation</c> object (official cookbook), both TTLs summed. A flattened
    /// <c>cache_creation_5m/1h_input_tokens</c> pair (seen in a third-party spec) is accepted too; neither fails.
    /// </summary>
    private long CacheWrite(JsonElement row)
    {
        if (row.Get("cache_creation") is { ValueKind: JsonValueKind.Object } nested)
        {
            var oneHour = nested.Long("ephemeral_1h_input_tokens");
            var fiveMinutes = nested.Long("ephemeral_5m_input_tokens");
            if (oneHour is null && fiveMinutes is null)
            {
                throw http.Malformed("GET " + UsagePath, "results[].cache_creation.ephemeral_1h_input_tokens",
                    "neither ephemeral_1h_input_tokens nor ephemeral_5m_input_tokens is a number");
            }

            return (oneHour ?? 0) + (fiveMinutes ?? 0);
        }

        var flat1h = row.Long("cache_creation_1h_input_tokens");
        var flat5m = row.Long("cache_creation_5m_input_tokens");
        if (flat1h is null && flat5m is null)
            throw http.Malformed("GET " + UsagePath, "results[].cache_creation", "missing or not an object");
        return (flat1h ?? 0) + (flat5m ?? 0);
    }

    /// <summary>
    /// The cost report in USD: token costs per (day, workspace, model), and the rest (web search, code execution,
    /// rows without a model) per (day, workspace, model or cost type or description).
    /// </summary>
    private async Task<(Dictionary<CostKey, decimal> Tokens, Dictionary<CostKey, decimal> Extras)> ReadCostsAsync(
        DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        const string endpoint = "GET " + CostPath;
        var tokens = new Dictionary<CostKey, decimal>();
        var extras = new Dictionary<CostKey, decimal>();
        var parameters = string.Create(CultureInfo.InvariantCulture, $"&bucket_width=1d&group_by[]=workspace_id&group_by[]=description&limit={DayPage}");
        await foreach (var bucket in PagesAsync(CostPath, parameters, from, to, ct))
        {
            var day = bucket.Time("starting_at") ?? throw http.Malformed(endpoint, "data[].starting_at", "missing or not a time");
            foreach (var r in bucket.Array("results"))
            {
                var cents = r.Dec("amount") ?? throw http.Malformed(endpoint, "results[].amount", "missing or not a decimal string");
                var currency = r.Str("currency");
                if (currency is not null && !string.Equals(currency, "USD", StringComparison.OrdinalIgnoreCase))
                    throw http.Malformed(endpoint, "results[].currency", $"'{currency}' (only USD is expected)");
                var workspace = r.Str("workspace_id") ?? "";
                var model = r.Str("model");
                var costType = r.Str("cost_type");
                var isTokens = model is not null && (costType is null || costType == "tokens");
                var key = new CostKey(Windows.FloorDay(day), workspace, isTokens ? model! : model ?? costType ?? r.Str("description") ?? UnknownModel);
                var target = isTokens ? tokens : extras;
                target[key] = target.GetValueOrDefault(key) + cents / 100m; // amounts are cents
            }
        }

        return (tokens, extras);
    }

    private List<UsageRecord> Merge(
        Dictionary<UsageKey, Hour> hours, Dictionary<CostKey, decimal> costs, Dictionary<CostKey, decimal> extras, DateTimeOffset ingestedAt)
    {
        var byDay = hours.GroupBy(h => new CostKey(Windows.FloorDay(h.Key.BucketStart), h.Key.Workspace, h.Key.Model))
            .ToDictionary(g => g.Key, g => g.OrderBy(m => m.Key.BucketStart).ThenBy(m => m.Key.KeyId, StringComparer.Ordinal).ToList());
        var records = new List<UsageRecord>(hours.Count + costs.Count + extras.Count);
        foreach (var (group, members) in byDay)
        {
            if (!costs.Remove(group, out var reported))
            {
                records.AddRange(members.Select(m => Record(m.Key, m.Value, null, ingestedAt)));
                continue;
            }

            // Spread the day's reported cost by estimate (or by tokens when unpriced).
            var shares = ReportedCost.Spread(reported, [.. members.Select(m => m.Value.Priced && m.Value.Estimate > 0 ? m.Value.Estimate : m.Value.Tokens.Total)]);
            for (var i = 0; i < members.Count; i++)
                records.Add(Record(members[i].Key, members[i].Value, shares[i], ingestedAt));
        }

        // Token costs with no usage to spread over join the other daily cost lines.
        foreach (var (key, amount) in costs)
            extras[key] = extras.GetValueOrDefault(key) + amount;
        foreach (var ((day, workspace, model), reported) in extras)
        {
            records.Add(new UsageRecord
            {
                Account = Account.Name,
                Provider = ProviderKind.Anthropic,
                Workspace = workspace,
                Model = model,
                BucketStart = day,
                BucketWidth = BucketWidth.Day,
                Cost = decimal.Round(reported, 6),
                Currency = Currency.USD,
                CostSource = CostSource.Reported,
                Source = RecordSource.Api,
                IngestedAt = ingestedAt,
            });
        }

        return records;
    }

    private static UsageRecord Record(UsageKey key, Hour hour, decimal? reported, DateTimeOffset ingestedAt)
    {
        decimal? estimate = hour.Priced ? hour.Estimate : null;
        return new UsageRecord
        {
            Account = key.Account,
            Provider = ProviderKind.Anthropic,
            Workspace = key.Workspace,
            KeyId = key.KeyId,
            Model = key.Model,
            BucketStart = key.BucketStart,
            BucketWidth = BucketWidth.Hour,
            Tokens = hour.Tokens,
            Requests = 0, // the usage report counts no requests
            Cost = reported ?? estimate,
            Currency = Currency.USD,
            CostSource = CostSources.Of(reported, estimate),
            EstimatedCost = estimate,
            Source = RecordSource.Api,
            IngestedAt = ingestedAt,
        };
    }

    /// <summary>Walks a report through its <c>next_page</c> cursor (while <c>has_more</c>), yielding buckets.</summary>
    private async IAsyncEnumerable<JsonElement> PagesAsync(
        string path, string parameters, DateTimeOffset from, DateTimeOffset to, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        string? page = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        do
        {
            var query = $"{path}?starting_at={Rfc3339(from)}&ending_at={Rfc3339(to)}{parameters}"
                + (page is null ? "" : "&page=" + Uri.EscapeDataString(page));
            using var document = await http.GetJsonAsync(query, ct);
            var root = document.RootElement;
            if (root.Get("data") is not { ValueKind: JsonValueKind.Array } data)
                throw http.Malformed("GET " + path, "data", "missing or not an array");
            foreach (var bucket in data.EnumerateArray())
                yield return bucket.Clone();
            page = root.Bool("has_more") == true
                ? root.Str("next_page") ?? throw http.Malformed("GET " + path, "next_page", "missing while has_more is true")
                : null;
            if (page is not null && !seen.Add(page))
                throw http.Malformed("GET " + path, "next_page", "the same cursor came back twice (paging would never end)");
        }
        while (page is not null);
    }

    private static string Rfc3339(DateTimeOffset t) =>
        Uri.EscapeDataString(t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));

    private readonly record struct CostKey(DateTimeOffset Day, string Workspace, string Model);

    private sealed class Hour
    {
        public TokenCounts Tokens;
        public decimal Estimate;
        public bool Priced = true;
    }
}
