using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Monitor.Core.Keys;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Hosting;

namespace Monitor.Providers;

/// <summary>
/// A self-hosted LiteLLM proxy, with its master key (BerriAI/litellm). Two sources per window of whole UTC days:
/// <list type="bullet">
/// <item>the daily rollup <c>/user/daily/activity</c> (admin view: every user; per day, model and virtual key), which
/// is kept when the spend logs are deleted by <c>maximum_spend_logs_retention_period</c> or never written
/// (<c>disable_spend_logs</c>): it gives each day's totals;</item>
/// <item>the spend log <c>/spend/logs/v2</c> (one row per request, asked oldest first so offset paging stays stable
/// while rows are added): it gives the hourly shape.</item>
/// </list>
/// Per day, key and model the ledger holds the logged requests as hourly records, and whatever the rollup holds beyond
/// them (requests whose log is gone or was never written) as one day record; so a day's total is the rollup's, and a
/// backfill over days the logs no longer hold keeps their totals instead of replacing them with nothing. Rollup money
/// with no key or no model is booked under the key <see cref="Unattributed"/> or the model <c>(unknown)</c>. Where the
/// logs hold more than the rollup (a proxy too old to roll up requests without a user), the logs are kept and the
/// difference is reported as drift. Spend is the proxy's own price map, in USD. Keys: <c>/key/list</c> and
/// <c>/key/info</c>. No model list or balance.
/// </summary>
public sealed partial class LiteLLMConnector(ProviderHttp http, PriceCatalog catalog, TimeProvider clock) : IProviderConnector
{
    /// <summary>Rows asked per page: the maximum of both endpoints (LiteLLM 1.95 served spec).</summary>
    public const int PageSize = 1000;

    /// <summary>The page size of proxies whose spend log still caps <c>page_size</c> at 100 (a 422 above it).</summary>
    public const int OldLogPageSize = 100;

    public const int KeyPage = 100;

    /// <summary>The key of rollup money no virtual key accounts for.</summary>
    public const string Unattributed = BillSlices.Unattributed;

    private const string LogsEndpoint = "GET /spend/logs/v2";
    private const string RollupEndpoint = "GET /user/daily/activity";
    private const string KeyListEndpoint = "GET /key/list";
    private const string KeyInfoEndpoint = "GET /key/info";
    private const string UnknownModel = "(unknown)";
    private const decimal Tolerance = 0.000001m;

    // call_type of a spend-log row (litellm CallTypes) -> ledger category; the async variant ("a" + name) maps the same.
    private static readonly Dictionary<string, string> Categories = new(StringComparer.Ordinal)
    {
        ["completion"] = "", ["text_completion"] = "", ["embedding"] = "", ["responses"] = "", ["anthropic_messages"] = "",
        ["generate_content"] = "", ["generate_content_stream"] = "", ["pass_through_endpoint"] = "", ["_arealtime"] = "",
        ["image_generation"] = "images", ["image_edit"] = "images", ["image_variation"] = "images",
        ["transcription"] = "audio_transcription", ["speech"] = "audio_speech",
        ["rerank"] = "rerank", ["moderation"] = "moderation", ["ocr"] = "ocr", ["search"] = "search",
        ["video_generation"] = "video",
    };

    public ProviderOptions Account => http.Account;

    public DriftLog Drift => http.Drift;

    public IReadOnlyList<(DateTimeOffset From, DateTimeOffset To)> Chunk(DateTimeOffset from, DateTimeOffset to, TimeSpan chunk) =>
        Windows.Days(from, to, chunk);

    public async Task<UsagePull> PullUsageAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        from = Windows.FloorDay(from);
        to = Windows.CeilDay(to);
        var rollup = await ReadRollupAsync(from, to, ct);
        var tally = new UsageTally();
        var logs = await ReadLogsAsync(from, to, tally, ct);
        // Estimates once the whole window is read: a model's upstream family is known from any of its rows.
        foreach (var (key, sums) in tally.Entries)
            sums.AddEstimate(Estimate(key.Model, key.BucketStart, sums.Tokens, logs.Families.TryGetValue(key.Model, out var f) ? f : null));
        Reconcile(rollup, logs, tally);
        var records = new RecordFactory(Account, clock.GetUtcNow()).All(tally, Currency.USD).ToList();
        return new UsagePull(RollupEndpoint, from, to, records);
    }

    public async Task<InventoryPull> PullInventoryAsync(CancellationToken ct)
    {
        var keys = new List<ApiKeyInfo>();
        foreach (var hash in await KeyHashesAsync(ct))
            keys.Add(await KeyAsync(hash, ct));
        return new InventoryPull(keys, null, null);
    }

    // ---- the daily rollup ----

    /// <summary>
    /// The rollup of [from, to), every page summed: the endpoint pages over its raw daily rows and aggregates only the
    /// rows of each page, so one day can arrive in parts on several pages.
    /// </summary>
    private async Task<Dictionary<DateTimeOffset, RollupDay>> ReadRollupAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var range = string.Create(CultureInfo.InvariantCulture, $"start_date={from:yyyy-MM-dd}&end_date={to.AddDays(-1):yyyy-MM-dd}"); // both ends inclusive
        var pages = new Pager(http, RollupEndpoint).NumberedAsync(
            page => string.Create(CultureInfo.InvariantCulture, $"/user/daily/activity?{range}&page={page}&page_size={PageSize}"),
            body => http.Deserialize(RollupEndpoint, body, LiteLLMJson.Default.ActivityPage),
            page => new PageInfo(
                page.Results?.Count ?? 0,
                TotalPages: page.Metadata?.TotalPages?.ReadCount(Drift, RollupEndpoint, "metadata.total_pages"),
                HasMore: page.Metadata?.HasMore),
            ct);
        var days = new Dictionary<DateTimeOffset, RollupDay>();
        await foreach (var page in pages)
        {
            foreach (var result in page.Results ?? throw http.Malformed(RollupEndpoint, "results", "missing or not an array"))
            {
                var date = Time(result.Date) ?? throw http.Malformed(RollupEndpoint, "results[].date", $"missing or not a date ('{result.Date}')");
                var day = Windows.FloorDay(date);
                if (day < from || day >= to)
                    continue;
                if (!days.TryGetValue(day, out var sum))
                    days[day] = sum = new RollupDay();
                sum.Total.Add(ReadAmounts(result.Metrics, "results[].metrics"));
                foreach (var (model, m) in result.Breakdown?.Models ?? [])
                {
                    sum.Models.At(model).Add(ReadAmounts(m.Metrics, "results[].breakdown.models{}.metrics"));
                    foreach (var (key, k) in m.ApiKeyBreakdown ?? [])
                    {
                        sum.HasKeyBreakdown = true;
                        sum.Cells.At((key, model)).Add(ReadAmounts(k.Metrics, "results[].breakdown.models{}.api_key_breakdown{}.metrics"));
                        if (!string.IsNullOrEmpty(k.Metadata?.TeamId))
                            sum.Teams[key] = k.Metadata.TeamId;
                    }
                }

                foreach (var (key, k) in result.Breakdown?.ApiKeys ?? [])
                {
                    sum.Keys.At(key).Add(ReadAmounts(k.Metrics, "results[].breakdown.api_keys{}.metrics"));
                    if (!string.IsNullOrEmpty(k.Metadata?.TeamId))
                        sum.Teams[key] = k.Metadata.TeamId;
                }
            }
        }

        return days;
    }

    private Amounts ReadAmounts(Metrics? m, string path)
    {
        if (m is null)
            return new Amounts();
        var spend = m.Spend?.Read(Drift, RollupEndpoint, path + ".spend");
        return new Amounts
        {
            Spend = spend ?? 0,
            SpendUnreadable = m.Spend is not null && spend is null,
            Prompt = m.PromptTokens?.ReadCount(Drift, RollupEndpoint, path + ".prompt_tokens") ?? 0,
            Completion = m.CompletionTokens?.ReadCount(Drift, RollupEndpoint, path + ".completion_tokens") ?? 0,
            CacheRead = m.CacheReadInputTokens?.ReadCount(Drift, RollupEndpoint, path + ".cache_read_input_tokens") ?? 0,
            CacheWrite = m.CacheCreationInputTokens?.ReadCount(Drift, RollupEndpoint, path + ".cache_creation_input_tokens") ?? 0,
            Requests = m.ApiRequests?.ReadCount(Drift, RollupEndpoint, path + ".api_requests") ?? 0,
        };
    }

    // ---- the spend log ----

    /// <summary>
    /// The logged requests of [from, to) into hourly records of <paramref name="tally"/>, and their sums per day, key and
    /// model for the reconciliation. The proxy's <c>end_date</c> is inclusive: the closed window is asked and [from, to)
    /// kept; a request id met twice (pages shifted by rows logged or deleted meanwhile) counts once.
    /// </summary>
    private async Task<LoggedDays> ReadLogsAsync(DateTimeOffset from, DateTimeOffset to, UsageTally tally, CancellationToken ct)
    {
        try
        {
            return await ReadLogsAsync(from, to, tally, PageSize, ct);
        }
        catch (ProviderException e) when (e.Status == HttpStatusCode.UnprocessableEntity && tally.Count == 0)
        {
            return await ReadLogsAsync(from, to, tally, OldLogPageSize, ct); // an older proxy: page_size at most 100
        }
    }

    private async Task<LoggedDays> ReadLogsAsync(DateTimeOffset from, DateTimeOffset to, UsageTally tally, int pageSize, CancellationToken ct)
    {
        var range = $"start_date={Uri.EscapeDataString(Format(from))}&end_date={Uri.EscapeDataString(Format(to))}";
        var pages = new Pager(http, LogsEndpoint).NumberedAsync(
            page => string.Create(CultureInfo.InvariantCulture, $"/spend/logs/v2?{range}&page={page}&page_size={pageSize}&sort_by=startTime&sort_order=asc"),
            body => http.Deserialize(LogsEndpoint, body, LiteLLMJson.Default.LogsPage),
            page => new PageInfo(
                page.Data?.Count ?? 0,
                (int?)page.PageSize?.ReadCount(Drift, LogsEndpoint, "page_size") ?? pageSize,
                page.Total?.ReadCount(Drift, LogsEndpoint, "total"),
                page.TotalPages?.ReadCount(Drift, LogsEndpoint, "total_pages"),
                FirstId: page.Data?.FirstOrDefault()?.RequestId),
            ct);
        var logged = new LoggedDays();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var page in pages)
        {
            foreach (var row in page.Data ?? throw http.Malformed(LogsEndpoint, "data", "missing or not an array"))
            {
                if (row.RequestId is { } id && !seen.Add(id))
                    continue;
                Add(row, from, to, tally, logged);
            }
        }

        return logged;
    }

    private void Add(LogRow row, DateTimeOffset from, DateTimeOffset to, UsageTally tally, LoggedDays logged)
    {
        var start = Time(row.StartTime) ?? throw http.Malformed(LogsEndpoint, "data[].startTime", $"missing or not a time ('{row.StartTime}')");
        if (start < from || start >= to)
            return;
        var spend = row.Spend?.Read(Drift, LogsEndpoint, "data[].spend");
        if (row.Spend is null)
            Drift.Report(LogsEndpoint, "data[].spend", "missing; the request's money is left to the daily rollup");
        var usage = UsageObject(row.Metadata);
        var details = usage?.PromptTokensDetails;
        var amounts = new Amounts
        {
            Spend = spend ?? 0, // an unreadable spend adds nothing here: the rollup's remainder for the day carries it
            Prompt = row.PromptTokens?.ReadCount(Drift, LogsEndpoint, "data[].prompt_tokens") ?? 0,
            Completion = row.CompletionTokens?.ReadCount(Drift, LogsEndpoint, "data[].completion_tokens") ?? 0,
            // Where LiteLLM's own rollup takes them from (db_spend_update_writer.py: the top-level usage key first,
            // then prompt_tokens_details).
            CacheRead = Positive(usage?.CacheReadInputTokens) ?? Positive(details?.CachedTokens) ?? 0,
            CacheWrite = Positive(usage?.CacheCreationInputTokens) ?? Positive(details?.CacheCreationTokens) ?? 0,
            Requests = 1,
        };
        var reasoning = Math.Min(Positive(usage?.CompletionTokensDetails?.ReasoningTokens) ?? 0, amounts.Completion);

        var day = Windows.FloorDay(start);
        var hour = new DateTimeOffset(start.UtcDateTime.Date.AddHours(start.UtcDateTime.Hour), TimeSpan.Zero);
        var team = row.TeamId ?? "";
        var key = row.ApiKey ?? "";
        var model = string.IsNullOrWhiteSpace(row.Model) ? UnknownModel : row.Model; // as the rollup names it: no model_group fallback
        var family = FamilyOf(row.CustomLlmProvider);
        if (family is not null)
            logged.Families[model] = family.Value;
        var sums = tally.At(new UsageKey(Account.Name, team, key, model, hour, BucketWidth.Hour, CategoryOf(row.CallType)));
        var tokens = amounts.Tokens(reasoning);
        sums.Tokens += tokens;
        sums.Requests++;
        sums.AddReported(spend ?? 0); // never the catalog estimate for an unreadable spend: the day record books that money
        logged.Cells.At((day, key, model)).Add(amounts);
        logged.Teams.TryAdd(key, team);
    }

    /// <summary>The ledger category of a <c>call_type</c>; an unknown one keeps its name as its category and is reported.</summary>
    private string CategoryOf(string? callType)
    {
        if (string.IsNullOrEmpty(callType))
            return "";
        if (Categories.TryGetValue(callType, out var category)
            || (callType.StartsWith('a') && Categories.TryGetValue(callType[1..], out category)))
            return category;
        Drift.Report(LogsEndpoint, "data[].call_type",
            $"unknown call type '{callType}': ledgered under its own category '{callType}' (money kept, not counted as token usage)");
        return callType;
    }

    /// <summary><c>metadata.usage_object</c>; the metadata column arrives as an object, or as JSON text from older proxies.</summary>
    private static UsageObj? UsageObject(JsonElement? metadata)
    {
        try
        {
            var meta = metadata switch
            {
                { ValueKind: JsonValueKind.Object } m => m.Deserialize(LiteLLMJson.Default.Meta),
                { ValueKind: JsonValueKind.String } m => JsonSerializer.Deserialize(m.GetString() ?? "", LiteLLMJson.Default.Meta),
                _ => null,
            };
            return meta?.UsageObject;
        }
        catch (JsonException)
        {
            return null; // free text, or a usage object of another shape: the row's prompt tokens stay uncached input
        }
    }

    // ---- the reconciliation ----

    /// <summary>
    /// Adds, per day, what the rollup holds beyond the logged requests as day records: per key and model first, then
    /// rollup money without a key (or a model) less whatever logs of that model exceeded their own key's rollup.
    /// </summary>
    private void Reconcile(Dictionary<DateTimeOffset, RollupDay> rollup, LoggedDays logged, UsageTally tally)
    {
        var complete = clock.GetUtcNow().AddHours(-1);
        foreach (var (day, r) in rollup.OrderBy(d => d.Key))
        {
            var targets = Targets(r);
            var excess = new Tally<string>();
            var loggedSpend = 0m;
            foreach (var ((d, key, model), l) in logged.Cells.Entries)
            {
                if (d != day)
                    continue;
                loggedSpend += l.Spend;
                if (!targets.TryGet((key, model), out var t))
                    t = new Amounts();
                excess.At(model).Add(l.Above(t));
            }

            foreach (var ((key, model), t) in targets.Entries)
            {
                if (key == Unattributed)
                    continue;
                var l = logged.Cells.TryGet((day, key, model), out var found) ? found : new Amounts();
                Book(tally, day, r.Teams.GetValueOrDefault(key) ?? logged.Teams.GetValueOrDefault(key) ?? "", key, model, t.Above(l), logged);
            }

            foreach (var ((key, model), t) in targets.Entries)
            {
                if (key != Unattributed)
                    continue;
                Book(tally, day, "", Unattributed, model, t.Above(excess.TryGet(model, out var over) ? over : new Amounts()), logged);
            }

            if (day.AddDays(1) <= complete && loggedSpend > r.Total.Spend + Tolerance && !r.Total.SpendUnreadable)
            {
                Drift.Report(RollupEndpoint, "results[].metrics.spend",
                    $"the spend log of {day:yyyy-MM-dd} holds {Text(loggedSpend)} USD, the daily rollup {Text(r.Total.Spend)} USD: "
                    + "the ledger keeps the logged requests (a proxy that rolls up only requests with a user?)");
            }
        }
    }

    /// <summary>
    /// What the rollup says each key and model cost on one day, with no double counting: the model x key breakdown;
    /// a key's spend outside any model (MCP tool calls) under the model <c>(unknown)</c>; a model's spend outside any
    /// key, and the day's outside any model, under <see cref="Unattributed"/>. A proxy whose rollup has no model x key
    /// breakdown gives per-model figures only, booked as unattributed.
    /// </summary>
    private static Tally<(string Key, string Model)> Targets(RollupDay r)
    {
        var targets = new Tally<(string Key, string Model)>();
        if (r.HasKeyBreakdown)
        {
            foreach (var (cell, a) in r.Cells.Entries)
                targets.At(cell).Add(a);
            foreach (var (key, a) in r.Keys.Entries)
                targets.At((key, UnknownModel)).Add(a.Above(Sum(r.Cells.Entries.Where(c => c.Key.Key == key).Select(c => c.Value))));
            foreach (var (model, a) in r.Models.Entries)
                targets.At((Unattributed, model)).Add(a.Above(Sum(r.Cells.Entries.Where(c => c.Key.Model == model).Select(c => c.Value))));
        }
        else
        {
            foreach (var (model, a) in r.Models.Entries)
                targets.At((Unattributed, model)).Add(a);
        }

        targets.At((Unattributed, UnknownModel)).Add(r.Total.Above(Sum(targets.Entries.Select(t => t.Value))));
        return targets;
    }

    private static Amounts Sum(IEnumerable<Amounts> amounts)
    {
        var sum = new Amounts();
        foreach (var a in amounts)
            sum.Add(a);
        return sum;
    }

    private void Book(UsageTally tally, DateTimeOffset day, string team, string key, string model, Amounts rest, LoggedDays logged)
    {
        if (rest.IsZero)
            return;
        var sums = tally.At(new UsageKey(Account.Name, team, key, model, day, BucketWidth.Day));
        var tokens = rest.Tokens(0);
        sums.Tokens += tokens;
        sums.Requests += rest.Requests;
        sums.AddReported(rest.Spend);
        sums.AddEstimate(Estimate(model, day, tokens, logged.Families.TryGetValue(model, out var f) ? f : null));
    }

    /// <summary>
    /// The catalog estimate beside the proxy's own price: LiteLLM entries where the catalog has them, else the
    /// upstream provider's prices when the log names one we price.
    /// </summary>
    private decimal? Estimate(string model, DateTimeOffset at, TokenCounts tokens, ProviderKind? family) =>
        catalog.Estimate(ProviderKind.LiteLLM, model, Currency.USD, at, tokens)
        ?? (family is { } f ? catalog.Estimate(f, model, Currency.USD, at, tokens) : null);

    // ---- keys ----

    /// <summary>The key hashes from <c>/key/list</c>: full objects carry <c>token</c>; the short form is a list of hashes.</summary>
    private async Task<List<string>> KeyHashesAsync(CancellationToken ct)
    {
        var pages = new Pager(http, KeyListEndpoint).NumberedAsync(
            page => string.Create(CultureInfo.InvariantCulture, $"/key/list?return_full_object=true&page={page}&size={KeyPage}"),
            body => http.Deserialize(KeyListEndpoint, body, LiteLLMJson.Default.KeyList),
            page => new PageInfo(
                page.Keys?.Count ?? 0,
                TotalItems: page.TotalCount?.ReadCount(Drift, KeyListEndpoint, "total_count"),
                TotalPages: page.TotalPages?.ReadCount(Drift, KeyListEndpoint, "total_pages"),
                FirstId: page.Keys is [var first, ..] ? HashOf(first) : null),
            ct);
        var hashes = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var page in pages)
        {
            foreach (var k in page.Keys ?? throw http.Malformed(KeyListEndpoint, "keys", "missing or not an array"))
            {
                var hash = HashOf(k);
                if (string.IsNullOrEmpty(hash))
                    throw http.Malformed(KeyListEndpoint, "keys[].token", "missing");
                if (seen.Add(hash))
                    hashes.Add(hash);
            }
        }

        return hashes;
    }

    private static string? HashOf(JsonElement key) => key.ValueKind switch
    {
        JsonValueKind.String => key.GetString(),
        JsonValueKind.Object when key.TryGetProperty("token", out var token) && token.ValueKind == JsonValueKind.String => token.GetString(),
        _ => null,
    };

    private async Task<ApiKeyInfo> KeyAsync(string hash, CancellationToken ct)
    {
        var body = await http.GetAsync("/key/info?key=" + Uri.EscapeDataString(hash), LiteLLMJson.Default.KeyInfoBody, ct);
        var info = body.Info ?? throw http.Malformed(KeyInfoEndpoint, "info", "missing or not an object");
        var expires = Time(info.Expires);
        var lastFour = LastFourOf(info.KeyName);
        return new ApiKeyInfo
        {
            KeyId = hash,
            Name = NonEmpty(info.KeyAlias) ?? NonEmpty(info.KeyName),
            Workspace = info.TeamId ?? "",
            Fingerprint = lastFour is not null && IsSha256Hex(hash) ? KeyFingerprint.FromHash(hash, lastFour) : null,
            LastFour = lastFour,
            Owner = NonEmpty(info.UserId) ?? NonEmpty(info.CreatedBy),
            Status = info.Blocked == true ? "disabled" : expires is { } e && e <= clock.GetUtcNow() ? "expired" : "active",
            CreatedAt = Time(info.CreatedAt),
            ExpiresAt = expires,
            LastUsedAt = Time(info.LastActive),
        };
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

    private static long? Positive(long? value) => value is > 0 ? value : null;

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    private static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Text(decimal amount) => amount.ToString("0.######", CultureInfo.InvariantCulture);

    private static DateTimeOffset? Time(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;

    /// <summary>Spend and token sums of one cell (rollup or logs), in the rollup's terms (prompt includes cache reads and writes).</summary>
    private sealed class Amounts
    {
        public decimal Spend;
        public bool SpendUnreadable;
        public long Prompt;
        public long Completion;
        public long CacheRead;
        public long CacheWrite;
        public long Requests;

        public bool IsZero => Spend == 0 && Prompt == 0 && Completion == 0 && CacheRead == 0 && CacheWrite == 0 && Requests == 0;

        public void Add(Amounts a)
        {
            Spend += a.Spend;
            SpendUnreadable |= a.SpendUnreadable;
            Prompt += a.Prompt;
            Completion += a.Completion;
            CacheRead += a.CacheRead;
            CacheWrite += a.CacheWrite;
            Requests += a.Requests;
        }

        /// <summary>What this holds beyond <paramref name="other"/>, part by part, never below zero; no money where either side's was unreadable.</summary>
        public Amounts Above(Amounts other) => new()
        {
            Spend = SpendUnreadable || other.SpendUnreadable || Spend - other.Spend < Tolerance ? 0 : Spend - other.Spend,
            Prompt = Math.Max(0, Prompt - other.Prompt),
            Completion = Math.Max(0, Completion - other.Completion),
            CacheRead = Math.Max(0, CacheRead - other.CacheRead),
            CacheWrite = Math.Max(0, CacheWrite - other.CacheWrite),
            Requests = Math.Max(0, Requests - other.Requests),
        };

        /// <summary>Ledger tokens: LiteLLM's prompt tokens include cache reads and writes, so uncached input is the rest.</summary>
        public TokenCounts Tokens(long reasoning) =>
            new(Math.Max(0, Prompt - CacheRead - CacheWrite), CacheRead, CacheWrite, Completion, reasoning);
    }

    /// <summary>Sums by a key, in the order first seen.</summary>
    private sealed class Tally<TKey> where TKey : notnull
    {
        private readonly Dictionary<TKey, Amounts> _sums = [];

        public IEnumerable<KeyValuePair<TKey, Amounts>> Entries => _sums;

        public Amounts At(TKey key)
        {
            if (!_sums.TryGetValue(key, out var sum))
                _sums[key] = sum = new Amounts();
            return sum;
        }

        public bool TryGet(TKey key, out Amounts sum) => _sums.TryGetValue(key, out sum!);
    }

    private sealed class RollupDay
    {
        public Amounts Total { get; } = new();
        public Tally<string> Models { get; } = new();
        public Tally<string> Keys { get; } = new();
        public Tally<(string Key, string Model)> Cells { get; } = new();
        public Dictionary<string, string> Teams { get; } = new(StringComparer.Ordinal);
        public bool HasKeyBreakdown { get; set; }
    }

    private sealed class LoggedDays
    {
        public Tally<(DateTimeOffset Day, string Key, string Model)> Cells { get; } = new();
        public Dictionary<string, string> Teams { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, ProviderKind> Families { get; } = new(StringComparer.Ordinal);
    }

    // The wire formats: SpendAnalyticsPaginatedResponse (litellm/types/proxy/management_endpoints/common_daily_activity.py),
    // the spend-log page {data, total, page, page_size, total_pages} with LiteLLM_SpendLogs rows, KeyListResponseObject
    // (litellm/proxy/_types.py) and /key/info's {key, info}. Unknown fields are ignored.
    private sealed class ActivityPage
    {
        public List<DailyData>? Results { get; set; }
        public PageMetadata? Metadata { get; set; }
    }

    private sealed class PageMetadata
    {
        public JsonNumber? TotalPages { get; set; }
        public bool? HasMore { get; set; }
    }

    private sealed class DailyData
    {
        public string? Date { get; set; }
        public Metrics? Metrics { get; set; }
        public Breakdown? Breakdown { get; set; }
    }

    private sealed class Metrics
    {
        public JsonNumber? Spend { get; set; }
        public JsonNumber? PromptTokens { get; set; }
        public JsonNumber? CompletionTokens { get; set; }
        public JsonNumber? CacheReadInputTokens { get; set; }
        public JsonNumber? CacheCreationInputTokens { get; set; }
        public JsonNumber? ApiRequests { get; set; }
    }

    private sealed class Breakdown
    {
        public Dictionary<string, ModelMetrics>? Models { get; set; }
        public Dictionary<string, KeyMetrics>? ApiKeys { get; set; }
    }

    private sealed class ModelMetrics
    {
        public Metrics? Metrics { get; set; }
        public Dictionary<string, KeyMetrics>? ApiKeyBreakdown { get; set; }
    }

    private sealed class KeyMetrics
    {
        public Metrics? Metrics { get; set; }
        public KeyMetadata? Metadata { get; set; }
    }

    private sealed class KeyMetadata
    {
        public string? TeamId { get; set; }
    }

    private sealed class LogsPageBody
    {
        public List<LogRow>? Data { get; set; }
        public JsonNumber? Total { get; set; }
        public JsonNumber? PageSize { get; set; }
        public JsonNumber? TotalPages { get; set; }
    }

    private sealed class LogRow
    {
        public string? RequestId { get; set; }
        public string? CallType { get; set; }
        public string? ApiKey { get; set; }
        public JsonNumber? Spend { get; set; }
        public JsonNumber? PromptTokens { get; set; }
        public JsonNumber? CompletionTokens { get; set; }

        [JsonPropertyName("startTime")]
        public string? StartTime { get; set; }

        public string? Model { get; set; }
        public string? TeamId { get; set; }
        public string? CustomLlmProvider { get; set; }
        public JsonElement? Metadata { get; set; }
    }

    private sealed class MetadataBody
    {
        public UsageObj? UsageObject { get; set; }
    }

    private sealed class UsageObj
    {
        public long? CacheReadInputTokens { get; set; }
        public long? CacheCreationInputTokens { get; set; }
        public PromptDetails? PromptTokensDetails { get; set; }
        public CompletionDetails? CompletionTokensDetails { get; set; }
    }

    private sealed class PromptDetails
    {
        public long? CachedTokens { get; set; }
        public long? CacheCreationTokens { get; set; }
    }

    private sealed class CompletionDetails
    {
        public long? ReasoningTokens { get; set; }
    }

    private sealed class KeyListBody
    {
        public List<JsonElement>? Keys { get; set; }
        public JsonNumber? TotalCount { get; set; }
        public JsonNumber? TotalPages { get; set; }
    }

    private sealed class KeyInfoResponse
    {
        public KeyInfo? Info { get; set; }
    }

    private sealed class KeyInfo
    {
        public string? KeyName { get; set; }
        public string? KeyAlias { get; set; }
        public string? TeamId { get; set; }
        public string? UserId { get; set; }
        public string? CreatedBy { get; set; }
        public bool? Blocked { get; set; }
        public string? Expires { get; set; }
        public string? CreatedAt { get; set; }
        public string? LastActive { get; set; }
    }

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
    [JsonSerializable(typeof(ActivityPage))]
    [JsonSerializable(typeof(LogsPageBody), TypeInfoPropertyName = "LogsPage")]
    [JsonSerializable(typeof(MetadataBody), TypeInfoPropertyName = "Meta")]
    [JsonSerializable(typeof(KeyListBody), TypeInfoPropertyName = "KeyList")]
    [JsonSerializable(typeof(KeyInfoResponse), TypeInfoPropertyName = "KeyInfoBody")]
    private sealed partial class LiteLLMJson : JsonSerializerContext;
}
