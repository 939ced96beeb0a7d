using System.Globalization;
using System.Text.Json;
using Monitor.Core.Budgets;
using Monitor.Core.Deprecations;
using Monitor.Core.Keys;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Hosting;

namespace Monitor.Providers;

/// <summary>
/// Mistral La Plateforme, through its admin API (beta): usage and cost per workspace and model for a month,
/// workspaces, API keys, spend limit, and the model list with deprecations.
/// The usage endpoint's per-model rows are not specified (free-form objects): they are read leniently by
/// metric names, unknown rows are kept raw, and a model whose rows carry nothing recognisable fails the pull.
/// Its totals are month-to-date: the pull stores each poll and derives hourly buckets from the growth between polls.
/// </summary>
public sealed class MistralConnector(ProviderHttp http, PriceCatalog catalog, TimeProvider clock) : IProviderConnector
{
    private const int KeyPage = 100;
    private const int WorkspacePage = 100;
    private const string UsageEndpoint = "GET /v1/admin/usage";

    // Containers in UsageOUTJSON that hold {"models": {...}} maps, by path.
    private static readonly string[][] UsageContainers =
    [
        ["completion"], ["chat"], ["ocr"], ["connectors"], ["audio"], ["audio_characters"],
        ["libraries_api", "pages"], ["libraries_api", "tokens"], ["libraries_api", "audio_seconds"],
        ["vibe_code", "completion"], ["vibe_code", "ocr"], ["vibe_code", "connectors"], ["vibe_code", "audio"], ["vibe_code", "audio_characters"],
    ];

    private static readonly string[] QuantityFields = ["value", "quantity", "tokens", "count", "usage", "total"];
    private static readonly string[] AmountFields = ["amount", "cost", "total_cost", "price_total", "value_paid", "spend"];

    public ProviderOptions Account => http.Account;

    public DriftLog Drift => http.Drift;

    private string Admin => Account.AdminPathPrefix.TrimEnd('/');

    public IReadOnlyList<(DateTimeOffset From, DateTimeOffset To)> Chunk(DateTimeOffset from, DateTimeOffset to, TimeSpan chunk) =>
        Windows.Months(from, to); // one call returns a whole month: pull and replace month by month

    public async Task<UsagePull> PullUsageAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var workspaces = await WorkspacesAsync(ct);
        var months = Windows.Months(from, to);
        var records = new List<UsageRecord>();
        var ingestedAt = clock.GetUtcNow();
        foreach (var (month, _) in months)
        {
            foreach (var workspace in workspaces)
            {
                var query = string.Create(CultureInfo.InvariantCulture,
                    $"{Admin}/usage?month={month.Month}&year={month.Year}&workspace_id={Uri.EscapeDataString(workspace)}");
                using var document = await http.GetJsonAsync(query, ct);
                records.AddRange(MapUsage(document.RootElement, month, workspace, ingestedAt));
            }
        }

        return new UsagePull(UsageEndpoint, months[0].From, months[^1].To, records, MonthToDate: true);
    }

    public async Task<InventoryPull> PullInventoryAsync(CancellationToken ct) =>
        new(await KeysAsync(ct), await ModelsAsync(http, ct), await SpendLimitAsync(ct));

    internal IEnumerable<UsageRecord> MapUsage(JsonElement root, DateTimeOffset month, string workspace, DateTimeOffset ingestedAt)
    {
        var currency = CurrencyOf(root);
        var models = new Dictionary<string, ModelTally>(StringComparer.Ordinal);
        foreach (var path in UsageContainers)
        {
            var container = root;
            foreach (var step in path)
                container = container.Get(step) ?? default;
            if (container.Get("models") is not { ValueKind: JsonValueKind.Object } byModel)
                continue;
            foreach (var model in byModel.EnumerateObject())
            {
                if (!models.TryGetValue(model.Name, out var tally))
                    models[model.Name] = tally = new ModelTally();
                Tally(tally, model.Value, $"{string.Join('.', path)}.models.{model.Name}");
            }
        }

        foreach (var (model, t) in models)
        {
            if (t.Rows > 0 && t.Recognised == 0)
            {
                throw http.Malformed(UsageEndpoint, t.FirstField ?? model,
                    "no token count or amount recognised in the usage rows (the format may have changed; nothing was written)");
            }

            if (t.Rows == 0)
                continue;
            var estimate = catalog.Estimate(Account.ParsedKind, model, currency, month, t.Tokens);
            yield return new UsageRecord
            {
                Account = Account.Name,
                Provider = Account.ParsedKind,
                Workspace = workspace,
                Model = model,
                BucketStart = month,
                BucketWidth = BucketWidth.Month,
                Tokens = t.Tokens,
                Requests = t.Requests,
                Cost = t.Amount ?? estimate,
                Currency = currency,
                CostSource = CostSources.Of(t.Amount, estimate),
                EstimatedCost = estimate,
                Source = RecordSource.Api,
                IngestedAt = ingestedAt,
                Raw = t.Unrecognised.Count > 0 ? "[" + string.Join(',', t.Unrecognised) + "]" : null,
            };
        }
    }

    private static void Tally(ModelTally tally, JsonElement groups, string field)
    {
        if (groups.ValueKind != JsonValueKind.Object)
            return;
        foreach (var group in groups.EnumerateObject())
        {
            var rows = group.Value.ValueKind == JsonValueKind.Array ? group.Value.EnumerateArray().ToList()
                : group.Value.ValueKind == JsonValueKind.Object ? [group.Value]
                : [];
            foreach (var row in rows)
            {
                tally.Rows++;
                tally.FirstField ??= $"{field}.{group.Name}";
                var metric = $"{row.Str("billing_metric") ?? row.Str("metric") ?? row.Str("type")} {row.Str("billing_group")} {group.Name}".ToLowerInvariant();
                var quantity = First(row, QuantityFields);
                var amount = First(row, AmountFields);
                var category = Categorise(metric);
                var counted = false;
                if (quantity is { } q && category is not null)
                {
                    var n = (long)decimal.Round(q);
                    tally.Tokens += category switch
                    {
                        "input" => new TokenCounts(n, 0, 0, 0, 0),
                        "cached" => new TokenCounts(0, n, 0, 0, 0),
                        "write" => new TokenCounts(0, 0, n, 0, 0),
                        "output" => new TokenCounts(0, 0, 0, n, 0),
                        "reasoning" => new TokenCounts(0, 0, 0, 0, n),
                        _ => default,
                    };
                    if (category == "requests")
                        tally.Requests += n;
                    counted = true;
                }

                if (amount is { } a)
                {
                    tally.Amount = (tally.Amount ?? 0m) + a;
                    counted = true;
                }

                if (counted)
                    tally.Recognised++;
                if (!counted || category is null)
                    tally.Unrecognised.Add(row.GetRawText());
            }
        }
    }

    private static string? Categorise(string metric)
    {
        if (metric.Contains("cache", StringComparison.Ordinal))
            return metric.Contains("write", StringComparison.Ordinal) || metric.Contains("creation", StringComparison.Ordinal) ? "write" : "cached";
        if (metric.Contains("reasoning", StringComparison.Ordinal))
            return "reasoning";
        if (metric.Contains("input", StringComparison.Ordinal) || metric.Contains("prompt", StringComparison.Ordinal))
            return "input";
        if (metric.Contains("output", StringComparison.Ordinal) || metric.Contains("completion", StringComparison.Ordinal))
            return "output";
        if (metric.Contains("request", StringComparison.Ordinal))
            return "requests";
        return null;
    }

    private static decimal? First(JsonElement row, string[] names)
    {
        foreach (var name in names)
        {
            if (row.Get(name) is { } v && Json.Number(v) is { } d)
                return d;
        }

        return null;
    }

    private Currency CurrencyOf(JsonElement root)
    {
        var text = root.Str("currency");
        if (Currencies.TryParse(text, out var currency))
            return currency;
        if (text is null && Currencies.TryParse(Account.Currency, out currency))
            return currency;
        throw http.Malformed(UsageEndpoint, "currency",
            text is null ? "missing, and Monitor:Providers:*:Currency is not set for this account" : $"'{text}' is not USD or EUR");
    }

    private async Task<List<string>> WorkspacesAsync(CancellationToken ct)
    {
        var ids = new List<string>();
        for (var page = 1; ; page++)
        {
            using var document = await http.GetJsonAsync(string.Create(CultureInfo.InvariantCulture, $"{Admin}/workspaces?page={page}&page_size={WorkspacePage}"), ct);
            var root = document.RootElement;
            if (root.Get("items") is not { ValueKind: JsonValueKind.Array } items)
                throw http.Malformed("GET /v1/admin/workspaces", "items", "missing or not an array");
            var count = 0;
            foreach (var item in items.EnumerateArray())
            {
                ids.Add(item.Str("uuid") ?? throw http.Malformed("GET /v1/admin/workspaces", "items[].uuid", "missing"));
                count++;
            }

            var total = root.Long("total");
            if (count < WorkspacePage || (total is { } t && ids.Count >= t))
                return ids;
        }
    }

    private async Task<List<ApiKeyInfo>> KeysAsync(CancellationToken ct)
    {
        var keys = new List<ApiKeyInfo>();
        var now = clock.GetUtcNow();
        for (var offset = 0; ; offset += KeyPage)
        {
            using var document = await http.GetJsonAsync(string.Create(CultureInfo.InvariantCulture, $"{Admin}/api-keys?limit={KeyPage}&offset={offset}"), ct);
            if (document.RootElement.Get("keys") is not { ValueKind: JsonValueKind.Array } page)
                throw http.Malformed("GET /v1/admin/api-keys", "keys", "missing or not an array");
            var count = 0;
            foreach (var k in page.EnumerateArray())
            {
                count++;
                var expires = k.Time("expiration_date");
                keys.Add(new ApiKeyInfo
                {
                    KeyId = k.Str("key_id") ?? throw http.Malformed("GET /v1/admin/api-keys", "keys[].key_id", "missing"),
                    Name = k.Str("name"),
                    Workspace = k.Str("workspace_id") ?? "",
                    LastFour = ApiKeyInfo.LastFourOf(k.Str("hidden_key")),
                    Owner = k.Str("created_by"),
                    Status = expires is { } e && e <= now ? "expired" : "active",
                    CreatedAt = k.Time("created_at"),
                    ExpiresAt = expires,
                    LastUsedAt = k.Time("last_used"),
                });
            }

            if (count < KeyPage)
                return keys;
        }
    }

    /// <summary>Mistral's model cards (<c>GET /v1/models</c>), shared with the Codestral domain that serves the same format.</summary>
    internal static async Task<List<ModelInfo>> ModelsAsync(ProviderHttp http, CancellationToken ct)
    {
        using var document = await http.GetJsonAsync("/v1/models", ct);
        var root = document.RootElement;
        // The spec's own example gives a bare array; the documented envelope is {object, data}.
        var data = root.ValueKind == JsonValueKind.Array ? root
            : root.Get("data") ?? throw http.Malformed("GET /v1/models", "data", "missing");
        return
        [
            .. data.EnumerateArray().Select(m => new ModelInfo
            {
                Model = m.Str("id") ?? throw http.Malformed("GET /v1/models", "data[].id", "missing"),
                Aliases = [.. m.Array("aliases").Select(a => a.GetString() ?? "").Where(a => a.Length > 0)],
                ShutdownAt = m.Time("deprecation"),
                Replacement = m.Str("deprecation_replacement_model"),
            }),
        ];
    }

    private async Task<SpendLimitInfo> SpendLimitAsync(CancellationToken ct)
    {
        const string endpoint = "GET /v1/admin/spend-limit";
        using var document = await http.GetJsonAsync($"{Admin}/spend-limit", ct);
        var limits = document.RootElement.Get("limits") ?? throw http.Malformed(endpoint, "limits", "missing");
        var completion = limits.Get("completion") ?? throw http.Malformed(endpoint, "limits.completion", "missing");
        var currencyText = limits.Str("currency");
        if (!Currencies.TryParse(currencyText, out var currency))
            throw http.Malformed(endpoint, "limits.currency", $"'{currencyText}' is not USD or EUR");
        return new SpendLimitInfo
        {
            Currency = currency,
            Usage = completion.Dec("total_usage") ?? completion.Dec("usage"),
            Limit = completion.Bool("no_monthly_limit") == true ? null : completion.Dec("usage_limit"),
            LimitReached = completion.Bool("monthly_limit_reached") ?? throw http.Malformed(endpoint, "limits.completion.monthly_limit_reached", "missing"),
            PaymentFailure = limits.Bool("last_payment_failure") ?? false,
        };
    }

    private sealed class ModelTally
    {
        public TokenCounts Tokens;
        public long Requests;
        public decimal? Amount;
        public int Rows;
        public int Recognised;
        public string? FirstField;
        public List<string> Unrecognised { get; } = [];
    }
}
