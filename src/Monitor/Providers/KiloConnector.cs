using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Monitor.Core.Budgets;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Hosting;

namespace Monitor.Providers;

/// <summary>
/// Kilo Code, through the app endpoints its own extension uses (no versioned public API; the ground truth is
/// Kilo-Org/cloud <c>src/app/api/profile/usage/route.ts</c> and <c>src/lib/processUsage.ts</c>): the caller's daily
/// usage per model (<c>/api/profile/usage</c>, every day at once, no date filter, no key dimension) and the balance.
/// Without <see cref="ProviderOptions.Organization"/> the personal view is asked (usage outside any organisation);
/// with it, requests carry the organisation header and ask <c>viewType=&lt;organisation id&gt;</c>: the caller's usage
/// inside that organisation (the route always filters on the caller). <c>total_input_tokens</c> is the sum of prompt
/// tokens, cache hits included, so uncached input is the difference; Kilo books cache writes as 0; cost is in
/// microdollars. With the organisation header the balance is the member's remaining daily allowance capped at the
/// organisation's balance (or the organisation's balance where no limit is set): stored as an allowance, not as
/// prepaid credit. No key or model listing.
/// </summary>
public sealed partial class KiloConnector(ProviderHttp http, PriceCatalog catalog, TimeProvider clock) : IProviderConnector
{
    public const string OrganizationHeader = "X-KiloCode-OrganizationId";

    /// <summary>The category of rows whose cost could not be read: kept apart, costed from the catalog where it can be.</summary>
    public const string UnreadableCostCategory = "cost_unreadable";

    private const string UsageEndpoint = "GET /api/profile/usage";
    private const string BalanceEndpoint = "GET /api/profile/balance";
    private const string UnknownModel = "(unknown)";
    private const decimal MicrosPerDollar = 1_000_000m;

    // The endpoint answers with every day at once: read it once per pull (the connector lives for one pull).
    private UsageTally? _days;

    public ProviderOptions Account => http.Account;

    public DriftLog Drift => http.Drift;

    private string? Organization => string.IsNullOrWhiteSpace(Account.Organization) ? null : Account.Organization.Trim();

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
        var factory = new RecordFactory(Account, clock.GetUtcNow());
        var records = days.Entries
            .Where(d => d.Key.BucketStart >= from && d.Key.BucketStart < to)
            .Select(d => factory.Create(d.Key, d.Value, Currency.USD))
            .ToList();
        return new UsagePull(UsageEndpoint, from, to, records);
    }

    public async Task<InventoryPull> PullInventoryAsync(CancellationToken ct)
    {
        var body = await http.GetAsync("/api/profile/balance", KiloJson.Default.Balance, ct);
        var balance = body.Balance?.Read(Drift, BalanceEndpoint, "balance") ?? throw http.Malformed(BalanceEndpoint, "balance", "missing or not a number");
        var depleted = body.IsDepleted ?? throw http.Malformed(BalanceEndpoint, "isDepleted", "missing or not a boolean");
        return new InventoryPull(null, null, null, new CreditBalanceInfo
        {
            Currency = Currency.USD,
            Remaining = balance,
            Depleted = depleted,
            Kind = Organization is null ? BalanceKind.Prepaid : BalanceKind.Allowance,
        });
    }

    private async Task<UsageTally> ReadUsageAsync(CancellationToken ct)
    {
        var view = Organization ?? "personal";
        var body = await http.GetAsync("/api/profile/usage?groupByModel=true&viewType=" + Uri.EscapeDataString(view), KiloJson.Default.UsageList, ct);
        var tally = new UsageTally();
        foreach (var row in body.Usage ?? throw http.Malformed(UsageEndpoint, "usage", "missing or not an array"))
        {
            var day = Day(row.Date) ?? throw http.Malformed(UsageEndpoint, "usage[].date", $"missing or not a date ('{row.Date}')");
            var model = string.IsNullOrWhiteSpace(row.Model) ? UnknownModel : row.Model;
            var tokens = Tokens(row, day, model);
            var micros = row.TotalCost is { } cost ? cost.Read(Drift, UsageEndpoint, "usage[].total_cost") : null;
            if (row.TotalCost is null)
                Drift.Report(UsageEndpoint, "usage[].total_cost", "missing; the row is kept apart and costed from the catalog");
            ReportUnknownCostFields(row.Extra);

            // A row whose cost cannot be read is kept apart (never a silent zero): its own category, catalog-costed.
            var sums = tally.At(new UsageKey(Account.Name, "", "", model, day, BucketWidth.Day, micros is null ? UnreadableCostCategory : ""));
            sums.Tokens += tokens; // one row per day and model today; rows that ever split further (a feature) add up
            sums.Requests += Count(row.RequestCount, "request_count");
            if (micros is { } m)
                sums.AddReported(m / MicrosPerDollar);
            sums.AddEstimate(catalog.Estimate(ProviderKind.Kilo, model, Currency.USD, day, tokens));
        }

        return tally;
    }

    /// <summary>
    /// Kilo's token sums as the ledger counts them: <c>total_input_tokens</c> is <c>SUM(prompt_tokens)</c>, cache hits
    /// included (processUsage.ts: <c>inputTokens: usage.prompt_tokens</c>, <c>cacheHitTokens: cached_tokens</c>), so the
    /// uncached input is the difference. Kilo writes cache writes as 0; should it ever report some, they are taken as
    /// part of the prompt too, and the drift says so.
    /// </summary>
    private TokenCounts Tokens(UsageRow row, DateTimeOffset day, string model)
    {
        var input = Count(row.TotalInputTokens, "total_input_tokens");
        var hits = Count(row.TotalCacheHitTokens, "total_cache_hit_tokens");
        var writes = Count(row.TotalCacheWriteTokens, "total_cache_write_tokens");
        if (writes != 0)
        {
            Drift.Report(UsageEndpoint, "usage[].total_cache_write_tokens",
                "non-zero, where Kilo's processUsage.ts always wrote 0; taken as part of total_input_tokens");
        }

        var uncached = input - hits - writes;
        if (uncached < 0)
        {
            Drift.Report(UsageEndpoint, "usage[].total_input_tokens",
                $"smaller than the cache hits and writes it should include ({day:yyyy-MM-dd} {model}: {input} < {hits} + {writes}); uncached input taken as 0");
            uncached = 0;
        }

        return new TokenCounts(uncached, hits, writes, Count(row.TotalOutputTokens, "total_output_tokens"), 0); // reasoning not reported
    }

    private long Count(JsonNumber? value, string field) => value?.ReadCount(Drift, UsageEndpoint, "usage[]." + field) ?? 0;

    /// <summary>A numeric field the route does not select today whose name says cost: a cost line the connector may miss.</summary>
    private void ReportUnknownCostFields(Dictionary<string, JsonElement>? extra)
    {
        if (extra is null)
            return;
        foreach (var (name, value) in extra)
        {
            if (value.ValueKind == JsonValueKind.Number && name.Contains("cost", StringComparison.OrdinalIgnoreCase))
                Drift.Report(UsageEndpoint, "usage[]." + name, "an unknown cost field; not counted: the row's total_cost is ledgered");
        }
    }

    /// <summary>The UTC day of <c>DATE(created_at)</c>: <c>2026-02-20</c>, or the same as an ISO timestamp.</summary>
    private static DateTimeOffset? Day(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? Windows.FloorDay(t)
            : null;

    // The wire format: route.ts selects date, model (groupByModel), and SUMs cast to float (so JSON numbers), in
    // microdollars for total_cost; balance/route.ts answers {balance, isDepleted}.
    private sealed class UsageList
    {
        public List<UsageRow>? Usage { get; set; }
    }

    private sealed class UsageRow
    {
        public string? Date { get; set; }
        public string? Model { get; set; }
        public JsonNumber? TotalCost { get; set; }
        public JsonNumber? RequestCount { get; set; }
        public JsonNumber? TotalInputTokens { get; set; }
        public JsonNumber? TotalOutputTokens { get; set; }
        public JsonNumber? TotalCacheWriteTokens { get; set; }
        public JsonNumber? TotalCacheHitTokens { get; set; }

        [JsonExtensionData]
        public Dictionary<string, JsonElement>? Extra { get; set; }
    }

    private sealed class BalanceBody
    {
        [JsonPropertyName("balance")]
        public JsonNumber? Balance { get; set; }

        [JsonPropertyName("isDepleted")]
        public bool? IsDepleted { get; set; }
    }

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
    [JsonSerializable(typeof(UsageList))]
    [JsonSerializable(typeof(BalanceBody), TypeInfoPropertyName = "Balance")]
    private sealed partial class KiloJson : JsonSerializerContext;
}
