using System.Net.Http.Headers;
using System.Text.Json;
using Monitor.Core.Budgets;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Hosting;

namespace Monitor.Providers;

/// <summary>
/// Kilo Code, through the app endpoints its own extension uses (no versioned public API): the calling user's daily
/// usage per model (<c>/api/profile/usage</c>, all days at once, no date filter, no key dimension) and the prepaid
/// balance. With <see cref="ProviderOptions.Organization"/> set, requests act in that organisation's context.
/// No key or model listing.
/// </summary>
public sealed class KiloConnector(ProviderHttp http, PriceCatalog catalog, TimeProvider clock) : IProviderConnector
{
    public const string OrganizationHeader = "X-KiloCode-OrganizationId";

    private const string UsageEndpoint = "GET /api/profile/usage";
    private const string UnknownModel = "(unknown)";
    private const decimal MicrosPerDollar = 1_000_000m;

    // The endpoint answers with every day at once: read it once per pull (the connector lives for one pull).
    private Dictionary<(DateTimeOffset Day, string Model), Tally>? _days;

    public ProviderOptions Account => http.Account;

    public DriftLog Drift => http.Drift;

    /// <summary>Bearer token, plus the organisation header when the account names one.</summary>
    public static Action<HttpRequestHeaders, string> Authorize(ProviderOptions account) => (headers, key) =>
    {
        headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (!string.IsNullOrWhiteSpace(account.Organization))
            headers.Add(OrganizationHeader, account.Organization.Trim());
    };

    public IReadOnlyList<(DateTimeOffset From, DateTimeOffset To)> Chunk(DateTimeOffset from, DateTimeOffset to, TimeSpan chunk) =>
        Windows.Days(from, to, chunk); // daily rows: whole UTC days

    public async Task<UsagePull> PullUsageAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        from = Windows.FloorDay(from);
        to = Windows.CeilDay(to);
        var days = _days ??= await ReadUsageAsync(ct);
        var ingestedAt = clock.GetUtcNow();
        var records = days
            .Where(d => d.Key.Day >= from && d.Key.Day < to)
            .Select(d => Record(d.Key.Day, d.Key.Model, d.Value, ingestedAt))
            .ToList();
        return new UsagePull(UsageEndpoint, from, to, records);
    }

    public async Task<InventoryPull> PullInventoryAsync(CancellationToken ct)
    {
        const string endpoint = "GET /api/profile/balance";
        using var document = await http.GetJsonAsync("/api/profile/balance", ct);
        var root = document.RootElement;
        var balance = root.Dec("balance") ?? throw http.Malformed(endpoint, "balance", "missing or not a number");
        var depleted = root.Bool("isDepleted") ?? throw http.Malformed(endpoint, "isDepleted", "missing or not a boolean");
        return new InventoryPull(null, null, null, new CreditBalanceInfo { Currency = Currency.USD, Remaining = balance, Depleted = depleted });
    }

    private async Task<Dictionary<(DateTimeOffset Day, string Model), Tally>> ReadUsageAsync(CancellationToken ct)
    {
        using var document = await http.GetJsonAsync("/api/profile/usage?groupByModel=true&viewType=personal", ct);
        if (document.RootElement.Get("usage") is not { ValueKind: JsonValueKind.Array } rows)
            throw http.Malformed(UsageEndpoint, "usage", "missing or not an array");
        var days = new Dictionary<(DateTimeOffset, string), Tally>();
        foreach (var row in rows.EnumerateArray())
        {
            var day = Windows.FloorDay(row.Time("date") ?? throw http.Malformed(UsageEndpoint, "usage[].date", "missing or not a date"));
            var key = (day, row.Str("model") ?? UnknownModel);
            // UNVERIFIED: total_input_tokens is taken to EXCLUDE cache hits and cache writes (they come in fields of
            // their own, as in the microdollar_usage columns), so it is the uncached input as it stands.
            var tokens = new TokenCounts(
                Input: Required(row, "total_input_tokens"),
                CachedInput: row.Long("total_cache_hit_tokens") ?? 0,
                CacheWrite: row.Long("total_cache_write_tokens") ?? 0,
                Output: Required(row, "total_output_tokens"),
                Reasoning: 0); // not reported
            // UNVERIFIED: total_cost is a sum of microdollars (the cost bigint column); string or number.
            var micros = row.Dec("total_cost") ?? throw http.Malformed(UsageEndpoint, "usage[].total_cost", "missing or not a number");
            var tally = days.TryGetValue(key, out var t) ? t : days[key] = new Tally();
            tally.Tokens += tokens; // rows per feature (autocomplete, agent, ...) of the same day and model add up
            tally.Requests += row.Long("request_count") ?? throw http.Malformed(UsageEndpoint, "usage[].request_count", "missing or not a number");
            tally.Cost += micros / MicrosPerDollar;
        }

        return days;
    }

    private UsageRecord Record(DateTimeOffset day, string model, Tally tally, DateTimeOffset ingestedAt) => new()
    {
        Account = Account.Name,
        Provider = ProviderKind.Kilo,
        Model = model,
        BucketStart = day,
        BucketWidth = BucketWidth.Day,
        Tokens = tally.Tokens,
        Requests = tally.Requests,
        Cost = tally.Cost,
        Currency = Currency.USD,
        CostSource = CostSource.Reported,
        EstimatedCost = catalog.Estimate(ProviderKind.Kilo, model, Currency.USD, day, tally.Tokens),
        Source = RecordSource.Api,
        IngestedAt = ingestedAt,
    };

    private long Required(JsonElement row, string field) =>
        row.Long(field) ?? throw http.Malformed(UsageEndpoint, "usage[]." + field, "missing or not a number");

    private sealed class Tally
    {
        public TokenCounts Tokens;
        public long Requests;
        public decimal Cost;
    }
}
