using System.Globalization;
using System.Text.Json;
using Monitor.Core.Keys;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Hosting;

namespace Monitor.Providers;

/// <summary>
/// A self-hosted LiteLLM proxy, with its master key: the per-request spend log (<c>/spend/logs/v2</c>, paged) summed
/// into hourly records per team, virtual key (its SHA-256 hash) and model, costed by the proxy's own price map; and the
/// virtual keys (<c>/key/list</c> for the hashes, <c>/key/info</c> for each). The proxy has no model list or balance.
/// </summary>
public sealed class LiteLLMConnector(ProviderHttp http, PriceCatalog catalog, TimeProvider clock) : IProviderConnector
{
    // 100 is within every version's limit (the UI endpoint's maximum is reported as 1000 but not confirmed).
    private const int LogPage = 100;
    private const int KeyPage = 100;
    private const string LogsEndpoint = "GET /spend/logs/v2";
    private const string KeyListEndpoint = "GET /key/list";
    private const string KeyInfoEndpoint = "GET /key/info";
    private const string UnknownModel = "(unknown)";

    public ProviderOptions Account => http.Account;

    public DriftLog Drift => http.Drift;

    public IReadOnlyList<(DateTimeOffset From, DateTimeOffset To)> Chunk(DateTimeOffset from, DateTimeOffset to, TimeSpan chunk) =>
        Windows.Days(from, to, chunk);

    public async Task<UsagePull> PullUsageAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        from = Windows.FloorDay(from);
        to = Windows.CeilDay(to);
        var ingestedAt = clock.GetUtcNow();
        var hours = new Dictionary<UsageKey, Hour>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // The proxy's end_date is inclusive and its pages are offsets over rows sorted newest first: ask for the
        // closed window, keep [from, to), and skip a request id met twice (rows logged meanwhile shift the pages).
        var range = $"start_date={Uri.EscapeDataString(Format(from))}&end_date={Uri.EscapeDataString(Format(to))}";
        for (var page = 1; ; page++)
        {
            using var document = await http.GetJsonAsync(string.Create(CultureInfo.InvariantCulture, $"/spend/logs/v2?{range}&page={page}&page_size={LogPage}"), ct);
            var root = document.RootElement;
            if (root.Get("data") is not { ValueKind: JsonValueKind.Array } data)
                throw http.Malformed(LogsEndpoint, "data", "missing or not an array");
            var count = 0;
            foreach (var row in data.EnumerateArray())
            {
                count++;
                if (row.Str("request_id") is { } id && !seen.Add(id))
                    continue;
                Add(row, from, to, hours);
            }

            var totalPages = root.Long("total_pages");
            if (count == 0 || (totalPages is { } pages ? page >= pages : count < (root.Long("page_size") ?? LogPage)))
                break;
        }

        var records = hours.Select(h => Record(h.Key, h.Value, ingestedAt)).ToList();
        return new UsagePull(LogsEndpoint, from, to, records);
    }

    public async Task<InventoryPull> PullInventoryAsync(CancellationToken ct)
    {
        var keys = new List<ApiKeyInfo>();
        foreach (var hash in await KeyHashesAsync(ct))
            keys.Add(await KeyAsync(hash, ct));
        return new InventoryPull(keys, null, null);
    }

    private void Add(JsonElement row, DateTimeOffset from, DateTimeOffset to, Dictionary<UsageKey, Hour> hours)
    {
        var start = row.Time("startTime") ?? throw http.Malformed(LogsEndpoint, "data[].startTime", "missing or not a time");
        if (start < from || start >= to)
            return;
        var spend = row.Get("spend") is { } s ? Json.Number(s) : null;
        if (spend is null)
            throw http.Malformed(LogsEndpoint, "data[].spend", "missing or not a number");

        var prompt = row.Long("prompt_tokens");
        var completion = row.Long("completion_tokens");
        if ((prompt is null || completion is null) && (row.Long("total_tokens") ?? 0) > 0)
            throw http.Malformed(LogsEndpoint, prompt is null ? "data[].prompt_tokens" : "data[].completion_tokens", "missing while total_tokens is not 0");

        // Cache reads and writes are not columns of the log: LiteLLM keeps the response's usage in metadata (field
        // names unconfirmed). Without them all prompt tokens count as uncached input.
        var usage = UsageObject(row);
        var details = usage?.Get("prompt_tokens_details");
        var cached = details?.Long("cached_tokens") ?? usage?.Long("cache_read_input_tokens") ?? 0;
        var written = usage?.Long("cache_creation_input_tokens") ?? details?.Long("cache_write_tokens") ?? 0;
        var output = completion ?? 0;
        var reasoning = usage?.Get("completion_tokens_details")?.Long("reasoning_tokens") ?? 0;
        var tokens = new TokenCounts(Math.Max(0, (prompt ?? 0) - cached - written), cached, written, output, Math.Min(reasoning, output));

        var hourStart = new DateTimeOffset(start.UtcDateTime.Date.AddHours(start.UtcDateTime.Hour), TimeSpan.Zero);
        var model = NonEmpty(row.Str("model")) ?? NonEmpty(row.Str("model_group")) ?? UnknownModel;
        var key = new UsageKey(Account.Name, row.Str("team_id") ?? "", row.Str("api_key") ?? "", model, hourStart, BucketWidth.Hour);
        if (!hours.TryGetValue(key, out var hour))
            hours[key] = hour = new Hour { Family = FamilyOf(row.Str("custom_llm_provider")) };
        hour.Tokens += tokens;
        hour.Requests++;
        hour.Spend += spend.Value;
    }

    private UsageRecord Record(UsageKey key, Hour hour, DateTimeOffset ingestedAt)
    {
        // The proxy prices with its own map; our catalog has no LiteLLM entries of its own, so the estimate beside it
        // comes from the upstream provider's prices when the log names one we price.
        var estimate = catalog.Estimate(ProviderKind.LiteLLM, key.Model, Currency.USD, key.BucketStart, hour.Tokens)
            ?? (hour.Family is { } family ? catalog.Estimate(family, key.Model, Currency.USD, key.BucketStart, hour.Tokens) : null);
        return new UsageRecord
        {
            Account = key.Account,
            Provider = ProviderKind.LiteLLM,
            Workspace = key.Workspace,
            KeyId = key.KeyId,
            Model = key.Model,
            BucketStart = key.BucketStart,
            BucketWidth = BucketWidth.Hour,
            Tokens = hour.Tokens,
            Requests = hour.Requests,
            Cost = hour.Spend,
            Currency = Currency.USD,
            CostSource = CostSource.Reported,
            EstimatedCost = estimate,
            Source = RecordSource.Api,
            IngestedAt = ingestedAt,
        };
    }

    /// <summary>The key hashes from <c>/key/list</c>: full objects carry <c>token</c>; the short form is a list of hashes.</summary>
    private async Task<List<string>> KeyHashesAsync(CancellationToken ct)
    {
        var hashes = new List<string>();
        for (var page = 1; ; page++)
        {
            using var document = await http.GetJsonAsync(string.Create(CultureInfo.InvariantCulture, $"/key/list?return_full_object=true&page={page}&size={KeyPage}"), ct);
            var root = document.RootElement;
            if (root.Get("keys") is not { ValueKind: JsonValueKind.Array } keys)
                throw http.Malformed(KeyListEndpoint, "keys", "missing or not an array");
            var count = 0;
            foreach (var k in keys.EnumerateArray())
            {
                count++;
                var hash = k.ValueKind == JsonValueKind.String ? k.GetString() : k.Str("token");
                if (string.IsNullOrEmpty(hash))
                    throw http.Malformed(KeyListEndpoint, "keys[].token", "missing");
                if (!hashes.Contains(hash, StringComparer.Ordinal))
                    hashes.Add(hash);
            }

            var totalPages = root.Long("total_pages");
            if (count == 0 || (totalPages is { } pages ? page >= pages : count < KeyPage))
                return hashes;
        }
    }

    private async Task<ApiKeyInfo> KeyAsync(string hash, CancellationToken ct)
    {
        using var document = await http.GetJsonAsync("/key/info?key=" + Uri.EscapeDataString(hash), ct);
        var info = document.RootElement.Get("info") is { ValueKind: JsonValueKind.Object } i ? i
            : throw http.Malformed(KeyInfoEndpoint, "info", "missing or not an object");
        var expires = info.Time("expires");
        var lastFour = LastFourOf(info.Str("key_name"));
        return new ApiKeyInfo
        {
            KeyId = hash,
            Name = NonEmpty(info.Str("key_alias")) ?? NonEmpty(info.Str("key_name")),
            Workspace = info.Str("team_id") ?? "",
            Fingerprint = lastFour is not null && IsSha256Hex(hash) ? KeyFingerprint.FromHash(hash, lastFour) : null,
            LastFour = lastFour,
            Owner = NonEmpty(info.Str("user_id")) ?? NonEmpty(info.Str("created_by")),
            Status = info.Bool("blocked") == true ? "disabled" : expires is { } e && e <= clock.GetUtcNow() ? "expired" : "active",
            CreatedAt = info.Time("created_at"),
            ExpiresAt = expires,
            LastUsedAt = info.Time("last_active"),
        };
    }

    /// <summary><c>metadata.usage_object</c>; the metadata column may arrive as an object or as JSON text.</summary>
    private static JsonElement? UsageObject(JsonElement row)
    {
        var metadata = row.Get("metadata");
        if (metadata is { ValueKind: JsonValueKind.String } text)
        {
            try
            {
                using var parsed = JsonDocument.Parse(text.GetString() ?? "");
                metadata = parsed.RootElement.Clone();
            }
            catch (JsonException)
            {
                return null; // free text: nothing about tokens in it
            }
        }

        return metadata?.Get("usage_object") is { ValueKind: JsonValueKind.Object } usage ? usage : null;
    }

    /// <summary>The last four characters of LiteLLM's abbreviated key name (<c>sk-...Fh3k</c>), or null.</summary>
    private static string? LastFourOf(string? keyName)
    {
        if (keyName is null)
            return null;
        var dots = keyName.LastIndexOf("...", StringComparison.Ordinal);
        var tail = dots >= 0 ? keyName[(dots + 3)..] : null;
        return tail is { Length: 4 } && !tail.Any(char.IsWhiteSpace) ? tail : null;
    }

    private static bool IsSha256Hex(string text) => text.Length == 64 && text.All(char.IsAsciiHexDigit);

    private static ProviderKind? FamilyOf(string? customLlmProvider) => customLlmProvider?.ToLowerInvariant() switch
    {
        "openai" or "azure" or "text-completion-openai" => ProviderKind.OpenAI,
        "anthropic" => ProviderKind.Anthropic,
        "mistral" or "codestral" => ProviderKind.Mistral,
        _ => null,
    };

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    private static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private sealed class Hour
    {
        public TokenCounts Tokens;
        public long Requests;
        public decimal Spend;
        public ProviderKind? Family;
    }
}
