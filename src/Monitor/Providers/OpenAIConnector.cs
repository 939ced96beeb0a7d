using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Monitor.Core.Deprecations;
using Monitor.Core.Keys;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Hosting;

namespace Monitor.Providers;

/// <summary>
/// OpenAI's organization Administration API: hourly completions and embeddings usage grouped by model, project and
/// key; daily costs grouped by line item, project and key; admin and project key inventories; models.
/// Reported daily costs are spread over that day's hourly records of the same project, key and model in proportion
/// to their estimates, so the ledger's cost sums to what OpenAI bills while keeping hourly shape; cost line items
/// with no matching usage (tools, storage) become daily records of their own.
/// </summary>
public sealed partial class OpenAIConnector(ProviderHttp http, PriceCatalog catalog, TimeProvider clock) : IProviderConnector
{
    // One day of hourly buckets per page (the API allows 168): with hundreds of keys a week-long page is hundreds of MB.
    private const int HourPage = 24;
    private const int DayPage = 180;
    private const int ListPage = 100;
    private const string UnknownModel = "(unknown)";

    public ProviderOptions Account => http.Account;

    public DriftLog Drift => http.Drift;

    public IReadOnlyList<(DateTimeOffset From, DateTimeOffset To)> Chunk(DateTimeOffset from, DateTimeOffset to, TimeSpan chunk) =>
        Windows.Days(from, to, chunk); // costs come in whole UTC days

    public async Task<UsagePull> PullUsageAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        from = Windows.FloorDay(from);
        to = Windows.CeilDay(to);
        var ingestedAt = clock.GetUtcNow();
        var hours = new Hours(Account.Name);
        var reader = new UsagePageReader(); // one string pool for both endpoints: the hours compare ids by reference
        await ReadUsageAsync("/v1/organization/usage/completions", "&group_by=model&group_by=project_id&group_by=api_key_id&group_by=batch", from, to, hours, reader, ct);
        await ReadUsageAsync("/v1/organization/usage/embeddings", "&group_by=model&group_by=project_id&group_by=api_key_id", from, to, hours, reader, ct);
        var costs = await ReadCostsAsync(from, to, ct);
        return new UsagePull("GET /v1/organization/usage+costs", from, to, Merge(hours, costs, ingestedAt));
    }

    public async Task<InventoryPull> PullInventoryAsync(CancellationToken ct)
    {
        var keys = new List<ApiKeyInfo>();
        await foreach (var k in ListAsync("/v1/organization/admin_api_keys", "", ct))
        {
            keys.Add(Key(k, "admin", "") with { ExpiresAt = k.Time("expires_at") });
        }

        await foreach (var project in ListAsync("/v1/organization/projects", "", ct))
        {
            var projectId = project.Str("id") ?? throw http.Malformed("GET /v1/organization/projects", "data[].id", "missing");
            await foreach (var k in ListAsync($"/v1/organization/projects/{Uri.EscapeDataString(projectId)}/api_keys", "&owner_project_access=any", ct))
            {
                var key = Key(k, "project", projectId);
                if (k.Str("owner_project_access") == "inactive")
                    key = key with { Status = "disabled" };
                keys.Add(key);
            }
        }

        using var models = await http.GetJsonAsync("/v1/models", ct);
        var modelList = models.RootElement.Array("data").Select(m => new ModelInfo
        {
            Model = m.Str("id") ?? throw http.Malformed("GET /v1/models", "data[].id", "missing"),
            ShutdownAt = m.Time("shutdown_date"),
        }).ToList();
        return new InventoryPull(keys, modelList, null);
    }

    private ApiKeyInfo Key(JsonElement k, string kind, string workspace)
    {
        var owner = k.Get("owner");
        return new ApiKeyInfo
        {
            KeyId = k.Str("id") ?? throw http.Malformed("GET api_keys", "data[].id", "missing"),
            Name = k.Str("name"),
            Kind = owner?.Str("type") == "service_account" ? "service_account" : kind,
            Workspace = workspace,
            LastFour = ApiKeyInfo.LastFourOf(k.Str("redacted_value")),
            Owner = owner?.Get("user")?.Str("email") ?? owner?.Str("name") ?? owner?.Get("service_account")?.Str("name"),
            CreatedAt = k.Time("created_at"),
            LastUsedAt = k.Time("last_used_at"),
        };
    }

    private async Task ReadUsageAsync(
        string path, string groups, DateTimeOffset from, DateTimeOffset to, Hours hours, UsagePageReader reader, CancellationToken ct)
    {
        var endpoint = "GET " + path;
        void Add(long bucketStart, UsagePageReader.Row r)
        {
            var start = DateTimeOffset.FromUnixTimeSeconds(bucketStart);
            var input = r.InputTokens ?? throw http.Malformed(endpoint, "results[].input_tokens", "missing");
            var requests = r.NumModelRequests ?? throw http.Malformed(endpoint, "results[].num_model_requests", "missing");
            var cached = r.InputCachedTokens ?? 0;
            var write = r.InputCacheWriteTokens ?? 0;
            var uncached = r.InputUncachedTokens ?? Math.Max(0, input - cached - write);
            var tokens = new TokenCounts(uncached, cached, write, r.OutputTokens ?? 0, 0);
            var model = r.Model ?? UnknownModel;
            var estimate = catalog.Estimate(ProviderKind.OpenAI, model, Currency.USD, start, tokens, batch: r.Batch == true);
            var hour = hours.At(bucketStart, r.ProjectId ?? "", r.ApiKeyId ?? "", model);
            hour.Tokens += tokens;
            hour.Requests += requests;
            hour.Priced &= estimate is not null;
            hour.Estimate += estimate ?? 0m;
        }

        string? page = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        do
        {
            var query = string.Create(CultureInfo.InvariantCulture, $"{path}?start_time={from.ToUnixTimeSeconds()}&end_time={to.ToUnixTimeSeconds()}&bucket_width=1h&limit={HourPage}{groups}")
                + (page is null ? "" : "&page=" + Uri.EscapeDataString(page));
            var (_, body) = await http.GetBytesAsync(query, ct);
            (bool HasMore, string? NextPage, bool HasData) result;
            try
            {
                result = reader.Read(body, Add);
            }
            catch (JsonException e)
            {
                throw http.Fail(endpoint, null, $"malformed JSON in the response: {e.Message}", e);
            }

            if (!result.HasData)
                throw http.Malformed(endpoint, "data", "missing or not an array");
            page = result.HasMore ? result.NextPage : null;
            if (page is not null && !seen.Add(page))
                throw http.Malformed(endpoint, "next_page", "the same cursor came back twice (paging would never end)");
        }
        while (page is not null);
    }

    private async Task<Dictionary<(DateTimeOffset Day, string Project, string Key, string Model), decimal>> ReadCostsAsync(
        DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        const string endpoint = "GET /v1/organization/costs";
        var costs = new Dictionary<(DateTimeOffset, string, string, string), decimal>();
        await foreach (var page in PagesAsync("/v1/organization/costs", $"&bucket_width=1d&limit={DayPage}&group_by=line_item&group_by=project_id&group_by=api_key_id", from, to, OpenAIJson.Default.CostsPage, p => (p.HasMore, p.NextPage), ct))
        {
            foreach (var bucket in page.Data ?? throw http.Malformed(endpoint, "data", "missing or not an array"))
            {
                var day = DateTimeOffset.FromUnixTimeSeconds(bucket.StartTime ?? throw http.Malformed(endpoint, "data[].start_time", "missing"));
                foreach (var r in bucket.Results ?? [])
                {
                    var amount = r.Amount ?? throw http.Malformed(endpoint, "results[].amount", "missing");
                    var value = amount.Value ?? throw http.Malformed(endpoint, "results[].amount.value", "missing or not a number");
                    if (!string.Equals(amount.Currency, "usd", StringComparison.OrdinalIgnoreCase))
                        throw http.Malformed(endpoint, "results[].amount.currency", $"'{amount.Currency}' (only usd is expected)");
                    var key = (day, r.ProjectId ?? "", r.ApiKeyId ?? "", ModelOfLineItem(r.LineItem));
                    costs[key] = costs.GetValueOrDefault(key) + value;
                }
            }
        }

        return costs;
    }

    private List<UsageRecord> Merge(
        Hours hours, Dictionary<(DateTimeOffset Day, string Project, string Key, string Model), decimal> costs, DateTimeOffset ingestedAt)
    {
        var records = new List<UsageRecord>(hours.Count + costs.Count);
        foreach (var (group, members) in hours.ByDay)
        {
            if (!costs.Remove(group, out var reported))
            {
                records.AddRange(members.Select(m => Record(m, null, ingestedAt)));
                continue;
            }

            // Spread the day's reported cost by estimate (or by tokens when unpriced).
            var shares = ReportedCost.Spread(reported, [.. members.Select(m => m.Priced && m.Estimate > 0 ? m.Estimate : m.Tokens.Total)]);
            for (var i = 0; i < members.Count; i++)
                records.Add(Record(members[i], shares[i], ingestedAt));
        }

        foreach (var ((day, project, key, model), reported) in costs)
        {
            records.Add(new UsageRecord
            {
                Account = Account.Name,
                Provider = ProviderKind.OpenAI,
                Workspace = project,
                KeyId = key,
                Model = model,
                BucketStart = day,
                BucketWidth = BucketWidth.Day,
                Cost = reported,
                Currency = Currency.USD,
                CostSource = CostSource.Reported,
                Source = RecordSource.Api,
                IngestedAt = ingestedAt,
            });
        }

        return records;
    }

    private static UsageRecord Record(Hour hour, decimal? reported, DateTimeOffset ingestedAt)
    {
        var key = hour.Key;
        decimal? estimate = hour.Priced ? hour.Estimate : null;
        return new UsageRecord
        {
            Account = key.Account,
            Provider = ProviderKind.OpenAI,
            Workspace = key.Workspace,
            KeyId = key.KeyId,
            Model = key.Model,
            BucketStart = key.BucketStart,
            BucketWidth = BucketWidth.Hour,
            Tokens = hour.Tokens,
            Requests = hour.Requests,
            Cost = reported ?? estimate,
            Currency = Currency.USD,
            CostSource = CostSources.Of(reported, estimate),
            EstimatedCost = estimate,
            Source = RecordSource.Api,
            IngestedAt = ingestedAt,
        };
    }

    // Line items name the model and the token kind: "gpt-4o-2024-08-06, input". Others (tools, storage) stay whole.
    private static string ModelOfLineItem(string? lineItem)
    {
        if (string.IsNullOrWhiteSpace(lineItem))
            return UnknownModel;
        var comma = lineItem.IndexOf(',', StringComparison.Ordinal);
        return (comma > 0 ? lineItem[..comma] : lineItem).Trim();
    }

    /// <summary>Walks a usage or costs endpoint through its <c>next_page</c> cursor, yielding pages.</summary>
    private async IAsyncEnumerable<TPage> PagesAsync<TPage>(
        string path, string parameters, DateTimeOffset from, DateTimeOffset to, JsonTypeInfo<TPage> type,
        Func<TPage, (bool? HasMore, string? Next)> cursor, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        string? page = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        do
        {
            var query = string.Create(CultureInfo.InvariantCulture, $"{path}?start_time={from.ToUnixTimeSeconds()}&end_time={to.ToUnixTimeSeconds()}{parameters}")
                + (page is null ? "" : "&page=" + Uri.EscapeDataString(page));
            var result = await http.GetAsync(query, type, ct);
            yield return result;
            var (hasMore, next) = cursor(result);
            page = hasMore == true ? next : null;
            if (page is not null && !seen.Add(page))
                throw http.Malformed("GET " + path, "next_page", "the same cursor came back twice (paging would never end)");
        }
        while (page is not null);
    }

    /// <summary>Walks an id-cursor list (<c>after</c>, <c>has_more</c>, <c>last_id</c>).</summary>
    private async IAsyncEnumerable<JsonElement> ListAsync(string path, string parameters, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        string? after = null;
        do
        {
            var query = $"{path}?limit={ListPage}{parameters}" + (after is null ? "" : "&after=" + Uri.EscapeDataString(after));
            using var document = await http.GetJsonAsync(query, ct);
            var root = document.RootElement;
            string? last = null;
            foreach (var item in root.Array("data"))
            {
                last = item.Str("id") ?? last;
                yield return item;
            }

            var next = root.Bool("has_more") == true ? root.Str("last_id") ?? last : null;
            after = next is not null && next != after ? next : null;
        }
        while (after is not null);
    }

    private sealed class Hour(UsageKey key)
    {
        public UsageKey Key { get; } = key;
        public TokenCounts Tokens;
        public long Requests;
        public decimal Estimate;
        public bool Priced = true;
    }

    /// <summary>
    /// The hours of one window, also grouped by day, project, key and model for spreading the daily costs. Ids come
    /// from the page reader's pool (or are literals), so lookups compare them by reference: this is the backfill's
    /// hottest dictionary.
    /// </summary>
    private sealed class Hours(string account)
    {
        private readonly Dictionary<(long Start, string Project, string Key, string Model), Hour> _byKey = new(PooledIds.Instance);

        public Dictionary<(DateTimeOffset Day, string Project, string Key, string Model), List<Hour>> ByDay { get; } = [];

        public int Count => _byKey.Count;

        public Hour At(long start, string project, string key, string model)
        {
            if (_byKey.TryGetValue((start, project, key, model), out var hour))
                return hour;
            var startTime = DateTimeOffset.FromUnixTimeSeconds(start);
            _byKey[(start, project, key, model)] = hour = new Hour(new UsageKey(account, project, key, model, startTime, BucketWidth.Hour));
            var group = (Windows.FloorDay(startTime), project, key, model);
            if (!ByDay.TryGetValue(group, out var members))
                ByDay[group] = members = [];
            members.Add(hour);
            return hour;
        }
    }

    private sealed class PooledIds : IEqualityComparer<(long Start, string Project, string Key, string Model)>
    {
        public static readonly PooledIds Instance = new();

        public bool Equals((long Start, string Project, string Key, string Model) a, (long Start, string Project, string Key, string Model) b) =>
            a.Start == b.Start && ReferenceEquals(a.Project, b.Project) && ReferenceEquals(a.Key, b.Key) && ReferenceEquals(a.Model, b.Model);

        public int GetHashCode((long Start, string Project, string Key, string Model) k) =>
            HashCode.Combine(k.Start, RuntimeHelpers.GetHashCode(k.Project), RuntimeHelpers.GetHashCode(k.Key), RuntimeHelpers.GetHashCode(k.Model));
    }

    // The wire format of the costs pages, read without building a document.
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
        public decimal? Value { get; set; }
        public string? Currency { get; set; }
    }

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
    [JsonSerializable(typeof(CostsPage))]
    private sealed partial class OpenAIJson : JsonSerializerContext;
}
