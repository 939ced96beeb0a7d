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
/// OpenRouter, with a management key: daily activity per key (<c>/v1/activity?api_key_hash=</c> for every key that
/// <c>/v1/keys</c> lists, disabled ones included), the key inventory, the model list with expiration dates and the
/// prepaid credit balance. Activity covers only the last 30 completed UTC days, so a pull replaces only that much:
/// older days in the ledger are kept. Activity rows come per model endpoint (provider); they are summed per day,
/// key and model. OpenRouter does not split cached prompt tokens there: prompt tokens count as input.
/// Usage of a key that is no longer listed cannot be asked for per key and is not pulled.
/// </summary>
public sealed class OpenRouterConnector(ProviderHttp http, PriceCatalog catalog, TimeProvider clock) : IProviderConnector
{
    /// <summary>How many completed UTC days <c>/v1/activity</c> serves.</summary>
    public const int ActivityDays = 30;

    private const string ActivityEndpoint = "GET /v1/activity";
    private const string KeysEndpoint = "GET /v1/keys";
    private const string UnknownModel = "(unknown)";

    // The key list is read once per pull (the connector lives for one pull) and reused by every usage window.
    private List<KeyRow>? _keys;
    private bool _managementKeyChecked;

    public ProviderOptions Account => http.Account;

    public DriftLog Drift => http.Drift;

    public IReadOnlyList<(DateTimeOffset From, DateTimeOffset To)> Chunk(DateTimeOffset from, DateTimeOffset to, TimeSpan chunk)
    {
        var (first, end) = Servable(from, to);
        return first < end ? Windows.Days(first, end, chunk) : [];
    }

    public async Task<UsagePull> PullUsageAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var (first, end) = Servable(from, to);
        if (first >= end)
            return new UsagePull(ActivityEndpoint, end, end, []);

        await EnsureManagementKeyAsync(ct);
        var keys = await KeysAsync(ct);
        var ingestedAt = clock.GetUtcNow();
        var tallies = new Dictionary<UsageKey, Tally>();
        foreach (var key in keys)
        {
            // One request per key returns its whole 30 days; one per day (date=) would multiply requests by 30.
            using var document = await http.GetJsonAsync("/v1/activity?api_key_hash=" + Uri.EscapeDataString(key.Hash), ct);
            if (document.RootElement.Get("data") is not { ValueKind: JsonValueKind.Array } rows)
                throw http.Malformed(ActivityEndpoint, "data", "missing or not an array");
            foreach (var row in rows.EnumerateArray())
            {
                var day = Windows.FloorDay(row.Time("date") ?? throw http.Malformed(ActivityEndpoint, "data[].date", "missing or not a date"));
                if (day < first || day >= end)
                    continue;
                var model = row.Str("model") ?? UnknownModel;
                var tokens = new TokenCounts(
                    Input: Required(row, "prompt_tokens"),
                    CachedInput: 0,
                    CacheWrite: 0,
                    Output: Required(row, "completion_tokens"),
                    Reasoning: row.Long("reasoning_tokens") ?? 0);
                var usageKey = new UsageKey(Account.Name, key.Workspace, key.Hash, model, day, BucketWidth.Day);
                var tally = tallies.TryGetValue(usageKey, out var t) ? t : tallies[usageKey] = new Tally(key);
                tally.Tokens += tokens;
                tally.Requests += Required(row, "requests");
                tally.Cost += row.Dec("usage") ?? throw http.Malformed(ActivityEndpoint, "data[].usage", "missing or not a number");
            }
        }

        var records = tallies.Select(pair => Record(pair.Key, pair.Value, ingestedAt)).ToList();
        return new UsagePull(ActivityEndpoint, first, end, records);
    }

    public async Task<InventoryPull> PullInventoryAsync(CancellationToken ct)
    {
        await EnsureManagementKeyAsync(ct);
        var now = clock.GetUtcNow();
        var keys = (await KeysAsync(ct)).Select(k => new ApiKeyInfo
        {
            KeyId = k.Hash,
            Name = k.Name,
            Workspace = k.Workspace,
            Fingerprint = k.Fingerprint,
            LastFour = k.Tail,
            Owner = k.Owner,
            Status = k.Disabled ? "disabled" : k.ExpiresAt is { } e && e <= now ? "expired" : "active",
            CreatedAt = k.CreatedAt,
            ExpiresAt = k.ExpiresAt,
        }).ToList();
        return new InventoryPull(keys, await ModelsAsync(ct), null, await BalanceAsync(ct));
    }

    /// <summary>The part of [from, to) the activity endpoint can answer: whole completed UTC days of the last 30.</summary>
    private (DateTimeOffset From, DateTimeOffset To) Servable(DateTimeOffset from, DateTimeOffset to)
    {
        var today = Windows.FloorDay(clock.GetUtcNow());
        var horizon = today.AddDays(-ActivityDays);
        var first = Windows.FloorDay(from);
        var end = Windows.CeilDay(to);
        return (first < horizon ? horizon : first, end > today ? today : end);
    }

    private UsageRecord Record(UsageKey key, Tally tally, DateTimeOffset ingestedAt)
    {
        // Per-token prices are on /v1/models, not in the catalog; an estimate is kept only where the catalog has one.
        var estimate = catalog.Estimate(ProviderKind.OpenRouter, key.Model, Currency.USD, key.BucketStart, tally.Tokens);
        return new UsageRecord
        {
            Account = key.Account,
            Provider = ProviderKind.OpenRouter,
            Workspace = key.Workspace,
            KeyId = key.KeyId,
            KeyFingerprint = tally.Key.Fingerprint,
            Model = key.Model,
            BucketStart = key.BucketStart,
            BucketWidth = BucketWidth.Day,
            Tokens = tally.Tokens,
            Requests = tally.Requests,
            Cost = tally.Cost,
            Currency = Currency.USD,
            CostSource = CostSource.Reported,
            EstimatedCost = estimate,
            Source = RecordSource.Api,
            IngestedAt = ingestedAt,
        };
    }

    private long Required(JsonElement row, string field) =>
        row.Long(field) ?? throw http.Malformed(ActivityEndpoint, "data[]." + field, "missing or not a number");

    /// <summary><c>/v1/activity</c> and <c>/v1/keys</c> answer only to a management key: say so instead of a bare 403.</summary>
    private async Task EnsureManagementKeyAsync(CancellationToken ct)
    {
        if (_managementKeyChecked)
            return;
        const string endpoint = "GET /v1/key";
        using var document = await http.GetJsonAsync("/v1/key", ct);
        var data = document.RootElement.Get("data") ?? throw http.Malformed(endpoint, "data", "missing");
        var management = data.Bool("is_management_key") ?? data.Bool("is_provisioning_key");
        if (management is null)
            throw http.Malformed(endpoint, "data.is_management_key", "missing");
        if (management == false)
        {
            throw http.Fail(endpoint, null,
                "OpenRouter needs a management key for /activity and /keys; the configured key is an inference key (create a management key in the OpenRouter settings)");
        }

        _managementKeyChecked = true;
    }

    private async Task<List<KeyRow>> KeysAsync(CancellationToken ct)
    {
        if (_keys is not null)
            return _keys;
        var keys = new List<KeyRow>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // Offset paging with an undocumented page size: advance by what each page held, stop on an empty page.
        for (var offset = 0; ;)
        {
            using var document = await http.GetJsonAsync(
                string.Create(CultureInfo.InvariantCulture, $"/v1/keys?include_disabled=true&offset={offset}"), ct);
            if (document.RootElement.Get("data") is not { ValueKind: JsonValueKind.Array } page)
                throw http.Malformed(KeysEndpoint, "data", "missing or not an array");
            var count = 0;
            foreach (var k in page.EnumerateArray())
            {
                count++;
                var hash = k.Str("hash") ?? throw http.Malformed(KeysEndpoint, "data[].hash", "missing");
                if (!seen.Add(hash))
                    continue; // a key listed again on the next page (the list moved while paging)
                var tail = TailOf(k.Str("label"));
                keys.Add(new KeyRow(
                    hash,
                    k.Str("name"),
                    k.Str("workspace_id") ?? "",
                    tail,
                    tail is not null && IsSha256Hex(hash) ? KeyFingerprint.FromHash(hash, tail) : null,
                    k.Str("creator_user_id"),
                    k.Bool("disabled") ?? throw http.Malformed(KeysEndpoint, "data[].disabled", "missing"),
                    k.Time("created_at"),
                    k.Time("expires_at")));
            }

            if (count == 0)
                return _keys = keys;
            offset += count;
        }
    }

    private async Task<List<ModelInfo>> ModelsAsync(CancellationToken ct)
    {
        const string endpoint = "GET /v1/models";
        using var document = await http.GetJsonAsync("/v1/models?output_modalities=all", ct);
        if (document.RootElement.Get("data") is not { ValueKind: JsonValueKind.Array } data)
            throw http.Malformed(endpoint, "data", "missing or not an array");
        return
        [
            .. data.EnumerateArray().Select(m =>
            {
                var id = m.Str("id") ?? throw http.Malformed(endpoint, "data[].id", "missing");
                var slug = m.Str("canonical_slug");
                return new ModelInfo
                {
                    Model = id,
                    Aliases = slug is not null && slug != id ? [slug] : [],
                    ShutdownAt = m.Time("expiration_date"),
                };
            }),
        ];
    }

    private async Task<CreditBalanceInfo> BalanceAsync(CancellationToken ct)
    {
        const string endpoint = "GET /v1/credits";
        using var document = await http.GetJsonAsync("/v1/credits", ct);
        var data = document.RootElement.Get("data") ?? throw http.Malformed(endpoint, "data", "missing");
        var total = data.Dec("total_credits") ?? throw http.Malformed(endpoint, "data.total_credits", "missing or not a number");
        var used = data.Dec("total_usage") ?? throw http.Malformed(endpoint, "data.total_usage", "missing or not a number");
        return new CreditBalanceInfo { Currency = Currency.USD, Remaining = total - used, Total = total }; // no depleted flag of its own
    }

    /// <summary>
    /// What the masked key in <c>label</c> shows of its end: <c>sk-or-v1-au7...890</c> gives <c>890</c>.
    /// A label that is not a masked key (a free-text name) gives null rather than the end of a name.
    /// </summary>
    internal static string? TailOf(string? label)
    {
        if (string.IsNullOrWhiteSpace(label))
            return null;
        var dots = label.LastIndexOf("...", StringComparison.Ordinal);
        string tail;
        if (dots >= 0)
            tail = label[(dots + 3)..];
        else if (label.StartsWith("sk-", StringComparison.Ordinal))
            tail = label;
        else
            return null;
        tail = tail.Length > 4 ? tail[^4..] : tail;
        return tail.Length == 0 || tail.Any(char.IsWhiteSpace) ? null : tail;
    }

    private static bool IsSha256Hex(string text) => text.Length == 64 && text.All(char.IsAsciiHexDigit);

    private sealed record KeyRow(
        string Hash, string? Name, string Workspace, string? Tail, string? Fingerprint, string? Owner, bool Disabled,
        DateTimeOffset? CreatedAt, DateTimeOffset? ExpiresAt);

    private sealed class Tally(KeyRow key)
    {
        public KeyRow Key { get; } = key;
        public TokenCounts Tokens;
        public long Requests;
        public decimal Cost;
    }
}
