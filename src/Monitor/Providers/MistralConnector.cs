using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Monitor.Core.Budgets;
using Monitor.Core.Deprecations;
using Monitor.Core.Keys;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Hosting;

namespace Monitor.Providers;

/// <summary>
/// Mistral La Plateforme through its admin API (Enterprise plans, preview): daily usage per workspace and model for a
/// month, workspaces (archived ones included), API keys, the spend limit, and, with an ordinary workspace key
/// (<c>ModelsApiKeyEnv</c>), the model list with its deprecations.
/// <para>
/// Usage rows carry <c>value</c> (all units, free ones included) and <c>value_paid</c> (the billable units) but no
/// amount: money is <c>value_paid</c> times the unit price of the response's <c>prices[]</c> (<see cref="MistralPriceIndex"/>);
/// token counts are <c>value</c>. Rows are dated (daily buckets); rows without a date are counted month to date.
/// Each workspace is pulled on its own, and the organisation total once more: what the workspaces do not account for is
/// ledgered as the workspace <see cref="OutsideWorkspaces"/>. There is no per-key usage.
/// </para>
/// </summary>
public sealed partial class MistralConnector(ProviderHttp http, PriceCatalog catalog, TimeProvider clock) : IProviderConnector
{
    /// <summary>The workspace of usage the organisation total has and no workspace does.</summary>
    public const string OutsideWorkspaces = BillSlices.OutsideWorkspaces;

    internal const string UsageEndpoint = "GET /v1/admin/usage";
    private const string WorkspacesEndpoint = "GET /v1/admin/workspaces";
    private const string KeysEndpoint = "GET /v1/admin/api-keys";
    private const string SpendLimitEndpoint = "GET /v1/admin/spend-limit";
    private const string ModelsEndpoint = "GET /v1/models";
    private const int KeyPage = 100;
    private const int WorkspacePage = 100;

    private IReadOnlyList<string>? _workspaces;

    public ProviderOptions Account => http.Account;

    public DriftLog Drift => http.Drift;

    private string Admin => Account.AdminPathPrefix.TrimEnd('/');

    /// <summary>
    /// How the admin key is sent: <c>x-api-key</c> (the admin docs) unless <c>Monitor:Providers:N:AdminAuth</c> is
    /// <c>Bearer</c> (the OpenAPI file).
    /// </summary>
    public static Action<HttpRequestHeaders, string> Authorize(ProviderOptions account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return Enum.TryParse<AdminAuth>(account.AdminAuth, ignoreCase: true, out var auth) && auth == AdminAuth.Bearer
            ? ProviderHttp.Bearer
            : XApiKey;
    }

    private static void XApiKey(HttpRequestHeaders headers, string key) => headers.Add("x-api-key", key);

    public IReadOnlyList<(DateTimeOffset From, DateTimeOffset To)> Chunk(DateTimeOffset from, DateTimeOffset to, TimeSpan chunk) =>
        Windows.Months(from, to); // one call returns a whole month: pull and replace month by month

    public async Task<UsagePull> PullUsageAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var months = Windows.Months(from, to);
        var workspaces = _workspaces ??= await WorkspacesAsync(ct);
        var map = new MistralUsageMap(Account, catalog, Drift);
        foreach (var (month, _) in months)
        {
            var inWorkspaces = new List<MistralLine>();
            foreach (var workspace in workspaces)
            {
                var (lines, prices, currency) = await UsageAsync(month, workspace, ct);
                inWorkspaces.AddRange(lines);
                map.Add(workspace, lines, prices, currency);
            }

            var (organisation, orgPrices, orgCurrency) = await UsageAsync(month, null, ct);
            map.Add(OutsideWorkspaces, MistralUsageLines.Outside(organisation, inWorkspaces, Drift), orgPrices, orgCurrency);
        }

        var records = map.Records(new RecordFactory(Account, clock.GetUtcNow()));
        return new UsagePull(UsageEndpoint, months[0].From, months[^1].To, records, MonthToDate: records.Any(r => r.BucketWidth == BucketWidth.Month))
        {
            Aliases = map.Aliases,
        };
    }

    public async Task<InventoryPull> PullInventoryAsync(CancellationToken ct)
    {
        var failures = new List<ProviderException>();
        var keys = await InventoryPull.TryAsync(failures, () => KeysAsync(ct));
        // The model list needs an ordinary workspace key: admin keys are refused there. Without one it is skipped.
        var models = string.IsNullOrWhiteSpace(Account.ModelsApiKeyEnv) ? null
            : await InventoryPull.TryAsync(failures, () => ModelsAsync(http.WithKey(Account.ModelsApiKeyEnv, "ModelsApiKeyEnv"), ct));
        // A refused admin key is refused everywhere: the spend limit is not asked with it again.
        var adminRefused = keys is null && failures.Any(f => f.Endpoint == KeysEndpoint && f.IsAuthFailure);
        var limit = adminRefused ? null : await InventoryPull.TryAsync(failures, () => SpendLimitAsync(ct));
        return new InventoryPull(keys, models, limit) { Failures = failures };
    }

    /// <summary>One month of usage of one workspace, or of the whole organisation (<paramref name="workspace"/> null).</summary>
    private async Task<(IReadOnlyList<MistralLine> Lines, MistralPriceIndex Prices, Currency Currency)> UsageAsync(
        DateTimeOffset month, string? workspace, CancellationToken ct)
    {
        var query = string.Create(CultureInfo.InvariantCulture, $"{Admin}/usage?month={month.Month}&year={month.Year}")
            + (workspace is null ? "" : "&workspace_id=" + Uri.EscapeDataString(workspace));
        var (endpoint, body) = await http.GetBytesAsync(query, ct);
        var usage = http.Deserialize(endpoint, body, MistralJson.Default.UsageOut);
        var prices = new MistralPriceIndex(PricesOf(usage.Prices));
        return (MistralUsageLines.Read(usage, month, Drift), prices, CurrencyOf(usage.Currency));
    }

    private IEnumerable<(string? EventType, string Metric, string Group, string? Zone, string? Tier, decimal Price)> PricesOf(List<PriceOut>? prices)
    {
        if (prices is null)
        {
            Drift.Report(UsageEndpoint, "prices", "missing: every row is estimated from the price catalog");
            yield break;
        }

        foreach (var p in prices)
        {
            if (p.Price?.Read(Drift, UsageEndpoint, "prices[].price") is not { } price)
                continue;
            if (p.BillingMetric is null || p.BillingGroup is null)
            {
                Drift.Report(UsageEndpoint, "prices[].billing_metric", "a price without billing_metric or billing_group (not used)");
                continue;
            }

            yield return (p.EventType, p.BillingMetric, p.BillingGroup, p.ApiZone, p.ServiceTier, price);
        }
    }

    private Currency CurrencyOf(string? text)
    {
        if (Currencies.TryParse(text, out var currency))
            return currency;
        if (text is null && Currencies.TryParse(Account.Currency, out currency))
            return currency;
        throw http.Malformed(UsageEndpoint, "currency",
            text is null ? "missing, and Monitor:Providers:*:Currency is not set for this account" : $"'{text}' is not USD or EUR");
    }

    /// <summary>
    /// Every workspace, archived ones included: the default listing leaves archived workspaces out, and whether
    /// <c>is_archived=true</c> lists only those or all is not documented, so both listings are walked and merged.
    /// </summary>
    private async Task<IReadOnlyList<string>> WorkspacesAsync(CancellationToken ct)
    {
        var ids = new List<string>();
        foreach (var archived in new[] { "", "&is_archived=true" })
        {
            var pages = new Pager(http, WorkspacesEndpoint).NumberedAsync(
                page => string.Create(CultureInfo.InvariantCulture, $"{Admin}/workspaces?page={page}&page_size={WorkspacePage}{archived}"),
                body => http.Deserialize(WorkspacesEndpoint, body, MistralJson.Default.WorkspacesOut),
                page => new PageInfo(
                    page.Items?.Count ?? 0,
                    PageSize: (int?)page.PageSize?.Read(Drift, WorkspacesEndpoint, "page_size") ?? WorkspacePage,
                    TotalItems: (long?)page.Total?.Read(Drift, WorkspacesEndpoint, "total"),
                    FirstId: page.Items?.FirstOrDefault()?.Uuid),
                ct);
            await foreach (var page in pages)
            {
                foreach (var item in page.Items ?? throw http.Malformed(WorkspacesEndpoint, "items", "missing"))
                    ids.Add(item.Uuid ?? throw http.Malformed(WorkspacesEndpoint, "items[].uuid", "missing"));
            }
        }

        return [.. ids.Distinct(StringComparer.Ordinal)];
    }

    private async Task<List<ApiKeyInfo>> KeysAsync(CancellationToken ct)
    {
        var keys = new List<ApiKeyInfo>();
        var now = clock.GetUtcNow();
        var pages = new Pager(http, KeysEndpoint).OffsetAsync(
            offset => string.Create(CultureInfo.InvariantCulture, $"{Admin}/api-keys?limit={KeyPage}&offset={offset}"),
            body => http.Deserialize(KeysEndpoint, body, MistralJson.Default.ApiKeysOut),
            page => new PageInfo(page.Keys?.Count ?? 0, PageSize: KeyPage, FirstId: page.Keys?.FirstOrDefault()?.KeyId),
            ct);
        await foreach (var page in pages)
        {
            foreach (var k in page.Keys ?? throw http.Malformed(KeysEndpoint, "keys", "missing"))
            {
                var expires = Expiry(k.ExpirationDate);
                keys.Add(new ApiKeyInfo
                {
                    KeyId = k.KeyId ?? throw http.Malformed(KeysEndpoint, "keys[].key_id", "missing"),
                    Name = k.Name,
                    Workspace = k.WorkspaceId ?? "",
                    LastFour = ApiKeyInfo.LastFourOf(k.HiddenKey),
                    Owner = k.CreatedBy,
                    Status = expires is { } e && e <= now ? "expired" : "active",
                    CreatedAt = Day(k.CreatedAt, "keys[].created_at"),
                    ExpiresAt = expires,
                    LastUsedAt = Day(k.LastUsed, "keys[].last_used"),
                });
            }
        }

        return keys;
    }

    /// <summary>
    /// When a key stops working: <c>expiration_date</c> is a day, and the key works through it, so a date means the
    /// next day 00:00 UTC (not the day itself, which would show it expired a day early); a date-time is taken as is.
    /// </summary>
    private DateTimeOffset? Expiry(string? text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? new DateTimeOffset(day.AddDays(1), TimeOnly.MinValue, TimeSpan.Zero)
            : Day(text, "keys[].expiration_date");

    /// <summary>A date (<c>2026-11-22</c>: that day 00:00 UTC, as <c>last_used</c> is a day) or date-time; anything else is drift and null.</summary>
    private DateTimeOffset? Day(string? text, string path)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
            return t;
        Drift.Report(KeysEndpoint, path, $"expected a date, got '{text}'");
        return null;
    }

    /// <summary>Mistral's model cards (<c>GET /v1/models</c>), shared with the Codestral domain that serves the same format.</summary>
    internal static async Task<List<ModelInfo>> ModelsAsync(ProviderHttp http, CancellationToken ct)
    {
        var (endpoint, body) = await http.GetBytesAsync("/v1/models", ct);
        // The spec's own example is a bare array; the documented schema is {object, data}.
        var cards = body.AsSpan().TrimStart(" \t\r\n"u8) is [(byte)'[', ..]
            ? http.Deserialize(endpoint, body, MistralJson.Default.ListModelCard)
            : http.Deserialize(endpoint, body, MistralJson.Default.ModelListOut).Data ?? throw http.Malformed(ModelsEndpoint, "data", "missing");
        return
        [
            .. cards.Select(m => new ModelInfo
            {
                Model = m.Id ?? throw http.Malformed(ModelsEndpoint, "data[].id", "missing"),
                Aliases = [.. (m.Aliases ?? []).Where(a => a.Length > 0)],
                ShutdownAt = DateTimeOffset.TryParse(m.Deprecation, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null,
                Replacement = m.DeprecationReplacementModel,
            }),
        ];
    }

    private async Task<SpendLimitInfo> SpendLimitAsync(CancellationToken ct)
    {
        var (endpoint, body) = await http.GetBytesAsync($"{Admin}/spend-limit", ct);
        var limits = http.Deserialize(endpoint, body, MistralJson.Default.LimitsOut).Limits ?? throw http.Malformed(SpendLimitEndpoint, "limits", "missing");
        var completion = limits.Completion ?? throw http.Malformed(SpendLimitEndpoint, "limits.completion", "missing");
        if (!Currencies.TryParse(limits.Currency, out var currency))
            throw http.Malformed(SpendLimitEndpoint, "limits.currency", $"'{limits.Currency}' is not USD or EUR");
        var usage = completion.TotalUsage?.Read(Drift, SpendLimitEndpoint, "limits.completion.total_usage")
            ?? completion.Usage?.Read(Drift, SpendLimitEndpoint, "limits.completion.usage");
        return new SpendLimitInfo
        {
            Currency = currency,
            Usage = usage,
            Limit = completion.NoMonthlyLimit == true ? null : completion.UsageLimit?.Read(Drift, SpendLimitEndpoint, "limits.completion.usage_limit"),
            LimitReached = completion.MonthlyLimitReached ?? throw http.Malformed(SpendLimitEndpoint, "limits.completion.monthly_limit_reached", "missing"),
            PaymentFailure = limits.LastPaymentFailure ?? false,
        };
    }

    // The wire formats (mistralai/platform-docs-public openapi-public-doc.yaml), read without building a document.

    /// <summary><c>UsageOUTJSON</c>: containers of per-model maps, the period, the currency and the unit prices.</summary>
    internal sealed class UsageOut
    {
        public BasicUsage? Completion { get; set; }
        public BasicUsage? Chat { get; set; }
        public BasicUsage? Ocr { get; set; }
        public BasicUsage? Connectors { get; set; }
        public BasicUsage? Audio { get; set; }
        public BasicUsage? AudioCharacters { get; set; }
        public LibrariesUsage? LibrariesApi { get; set; }
        public FineTuningUsage? FineTuning { get; set; }
        public VibeCodeUsage? VibeCode { get; set; }
        public JsonNumber? VibeUsage { get; set; }
        public string? Date { get; set; }
        public string? PreviousMonth { get; set; }
        public string? NextMonth { get; set; }
        public string? StartDate { get; set; }
        public string? EndDate { get; set; }
        public string? Currency { get; set; }
        public string? CurrencySymbol { get; set; }
        public List<PriceOut>? Prices { get; set; }

        [JsonExtensionData]
        public Dictionary<string, JsonElement>? Unknown { get; set; }
    }

    /// <summary><c>BasicModelUsageDataJSON</c>: model key → group → rows (the rows are untyped in the spec).</summary>
    internal sealed class BasicUsage
    {
        public Dictionary<string, Dictionary<string, JsonElement>>? Models { get; set; }

        [JsonExtensionData]
        public Dictionary<string, JsonElement>? Unknown { get; set; }
    }

    internal sealed class LibrariesUsage
    {
        public BasicUsage? Pages { get; set; }
        public BasicUsage? Tokens { get; set; }
        public BasicUsage? AudioSeconds { get; set; }

        [JsonExtensionData]
        public Dictionary<string, JsonElement>? Unknown { get; set; }
    }

    /// <summary><c>FineTuningDataJSON</c>: training as model → group → rows; storage as model → integer.</summary>
    internal sealed class FineTuningUsage
    {
        public Dictionary<string, Dictionary<string, JsonElement>>? Training { get; set; }
        public Dictionary<string, JsonElement>? Storage { get; set; }

        [JsonExtensionData]
        public Dictionary<string, JsonElement>? Unknown { get; set; }
    }

    internal sealed class VibeCodeUsage
    {
        public BasicUsage? Completion { get; set; }
        public BasicUsage? Ocr { get; set; }
        public BasicUsage? Connectors { get; set; }
        public BasicUsage? Audio { get; set; }
        public BasicUsage? AudioCharacters { get; set; }

        [JsonExtensionData]
        public Dictionary<string, JsonElement>? Unknown { get; set; }
    }

    /// <summary>One usage row, as CodexBar and the console payload show it.</summary>
    internal sealed class UsageRowOut
    {
        public string? UsageType { get; set; }
        public string? EventType { get; set; }
        public string? BillingMetric { get; set; }
        public string? BillingDisplayName { get; set; }
        public string? BillingGroup { get; set; }
        public JsonElement? Timestamp { get; set; }
        public JsonNumber? Value { get; set; }
        public JsonNumber? ValuePaid { get; set; }
        public string? ApiZone { get; set; }
        public string? ServiceTier { get; set; }
    }

    /// <summary><c>PriceData</c>: a unit price (a number or a decimal string).</summary>
    internal sealed class PriceOut
    {
        public string? EventType { get; set; }
        public string? BillingMetric { get; set; }
        public string? BillingGroup { get; set; }
        public string? ApiZone { get; set; }
        public string? ServiceTier { get; set; }
        public JsonNumber? Price { get; set; }
    }

    internal sealed class WorkspacesOut
    {
        public JsonNumber? Total { get; set; }
        public List<WorkspaceOut>? Items { get; set; }
        public JsonNumber? Page { get; set; }
        public JsonNumber? PageSize { get; set; }
    }

    internal sealed class WorkspaceOut
    {
        public string? Uuid { get; set; }
        public string? Name { get; set; }
    }

    internal sealed class ApiKeysOut
    {
        public List<ApiKeyOut>? Keys { get; set; }
    }

    internal sealed class ApiKeyOut
    {
        public string? KeyId { get; set; }
        public string? Name { get; set; }
        public string? HiddenKey { get; set; }
        public string? CreatedAt { get; set; }
        public string? ExpirationDate { get; set; }
        public string? WorkspaceId { get; set; }
        public string? CreatedBy { get; set; }
        public string? LastUsed { get; set; }
    }

    internal sealed class LimitsOut
    {
        public LimitsContext? Limits { get; set; }
    }

    internal sealed class LimitsContext
    {
        public UsageLimits? Completion { get; set; }
        public bool? LastPaymentFailure { get; set; }
        public string? Currency { get; set; }
    }

    internal sealed class UsageLimits
    {
        public bool? NoMonthlyLimit { get; set; }
        public bool? MonthlyLimitReached { get; set; }
        public JsonNumber? Usage { get; set; }
        public JsonNumber? TotalUsage { get; set; }
        public JsonNumber? UsageLimit { get; set; }
    }

    internal sealed class ModelListOut
    {
        public List<ModelCard>? Data { get; set; }
    }

    internal sealed class ModelCard
    {
        public string? Id { get; set; }
        public List<string>? Aliases { get; set; }
        public string? Deprecation { get; set; }
        public string? DeprecationReplacementModel { get; set; }
    }

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
    [JsonSerializable(typeof(UsageOut))]
    [JsonSerializable(typeof(List<UsageRowOut>))]
    [JsonSerializable(typeof(BasicUsage))]
    [JsonSerializable(typeof(Dictionary<string, JsonElement>))]
    [JsonSerializable(typeof(WorkspacesOut))]
    [JsonSerializable(typeof(ApiKeysOut))]
    [JsonSerializable(typeof(LimitsOut))]
    [JsonSerializable(typeof(ModelListOut))]
    [JsonSerializable(typeof(List<ModelCard>))]
    internal sealed partial class MistralJson : JsonSerializerContext;
}
