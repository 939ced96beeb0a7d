using System.Globalization;
using System.Net;
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
/// OpenRouter, with a management key (OpenRouterTeam/docs <c>openapi/openapi.yaml</c>). Keys: <c>/v1/keys</c> lists
/// one workspace at a time (the default one without <c>workspace_id</c>), so every workspace of <c>/v1/workspaces</c>
/// is listed, disabled keys included. Usage: <c>/v1/activity</c> per key, and once without a key filter; what the
/// unfiltered activity holds beyond the listed keys (deleted keys, usage without a key) is ledgered per day, workspace
/// and model under the key <see cref="Unattributed"/>, never below zero (a per-key sum above the total is drift).
/// Activity covers the last 30 completed UTC days, so a pull replaces only that much; older days are kept.
/// Money: <c>usage</c> is OpenRouter credits; <c>byok_usage_inference</c> is what the upstream provider bills for
/// bring-your-own-key calls. Both are money the user pays, so both count, but apart: BYOK under the category
/// <see cref="ByokCategory"/> (it never draws on the credit balance, and the upstream account bills it).
/// Prompt tokens are not split into cached and uncached there: they count as input.
/// </summary>
public sealed partial class OpenRouterConnector(ProviderHttp http, PriceCatalog catalog, TimeProvider clock) : IProviderConnector
{
    /// <summary>How many completed UTC days <c>/v1/activity</c> serves.</summary>
    public const int ActivityDays = 30;

    /// <summary>The key of usage the unfiltered activity has and no listed key accounts for.</summary>
    public const string Unattributed = BillSlices.Unattributed;

    /// <summary>The category of bring-your-own-key upstream cost (billed by the upstream provider, not from credits).</summary>
    public const string ByokCategory = "byok";

    /// <summary>Workspaces asked per page (the spec's maximum).</summary>
    public const int WorkspacePage = 100;

    private const string ActivityEndpoint = "GET /v1/activity";
    private const string KeysEndpoint = "GET /v1/keys";
    private const string WorkspacesEndpoint = "GET /v1/workspaces";
    private const string UnknownModel = "(unknown)";
    private const decimal HalfMicro = 0.0000005m;

    // The connector lives for one pull: keys and the 30 days of activity are read once and serve every window.
    private List<KeyRow>? _keys;
    private List<UsageRecord>? _activity;
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
        var records = _activity ??= await ReadActivityAsync(ct);
        return new UsagePull(ActivityEndpoint, first, end, [.. records.Where(r => r.BucketStart >= first && r.BucketStart < end)]);
    }

    public async Task<InventoryPull> PullInventoryAsync(CancellationToken ct)
    {
        await EnsureManagementKeyAsync(ct);
        var now = clock.GetUtcNow();
        var failures = new List<ProviderException>();
        var keys = await InventoryPull.TryAsync(failures, async () => (await KeysAsync(ct)).Select(k => new ApiKeyInfo
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
        }).ToList());
        var models = await InventoryPull.TryAsync(failures, () => ModelsAsync(ct));
        var balance = await InventoryPull.TryAsync(failures, () => BalanceAsync(ct));
        return new InventoryPull(keys, models, null, balance) { Failures = failures };
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

    /// <summary>
    /// Every key's activity, then the unfiltered activity: the per-key rows become records per day, workspace, key and
    /// model (credits, and BYOK apart), and what the unfiltered total holds beyond them becomes the unattributed rest.
    /// Rows are split per workspace (<c>group_by=workspace</c>) so the rest lands in the workspace OpenRouter books it to.
    /// </summary>
    private async Task<List<UsageRecord>> ReadActivityAsync(CancellationToken ct)
    {
        await EnsureManagementKeyAsync(ct);
        var keys = await KeysAsync(ct);
        var tally = new UsageTally();
        var keyed = new Dictionary<Cell, Amounts>();
        foreach (var key in keys)
        {
            // One request per key returns its whole 30 days; one per day (date=) would multiply requests by 30.
            foreach (var row in await ActivityAsync("/v1/activity?api_key_hash=" + Uri.EscapeDataString(key.Hash) + "&group_by=workspace", ct))
            {
                var (cell, amounts) = Read(row, key.Workspace);
                Accumulate(keyed, cell, amounts);
                Book(tally, new UsageKey(Account.Name, cell.Workspace, key.Hash, cell.Model, cell.Day, BucketWidth.Day), amounts, key.Fingerprint);
            }
        }

        var totals = new Dictionary<Cell, Amounts>();
        foreach (var row in await ActivityAsync("/v1/activity?group_by=workspace", ct))
        {
            var (cell, amounts) = Read(row, "");
            Accumulate(totals, cell, amounts);
        }

        foreach (var cell in totals.Keys.Union(keyed.Keys).OrderBy(c => c.Day).ThenBy(c => c.Workspace, StringComparer.Ordinal).ThenBy(c => c.Model, StringComparer.Ordinal))
        {
            var rest = Rest(cell, totals.GetValueOrDefault(cell), keyed.GetValueOrDefault(cell));
            if (rest is not null)
                Book(tally, new UsageKey(Account.Name, cell.Workspace, Unattributed, cell.Model, cell.Day, BucketWidth.Day), rest, null);
        }

        var factory = new RecordFactory(Account, clock.GetUtcNow());
        return [.. factory.All(tally, Currency.USD)];
    }

    /// <summary>The unfiltered total less the listed keys' sum for one day, workspace and model; never below zero.</summary>
    private Amounts? Rest(Cell cell, Amounts? total, Amounts? keyed)
    {
        if (total?.Unreadable == true)
            return null; // without a readable total there is nothing to compare with (the drift is reported)
        total ??= new Amounts(); // keys' activity the unfiltered total does not have at all: below zero, so drift
        keyed ??= new Amounts();
        var rest = new Amounts
        {
            Tokens = total.Tokens + Negate(keyed.Tokens),
            Requests = total.Requests - keyed.Requests,
            Usage = total.Usage - keyed.Usage,
            Byok = total.Byok - keyed.Byok,
        };
        var under = new List<string>();
        if (rest.Usage < -HalfMicro) under.Add($"usage by {Text(-rest.Usage)} USD");
        if (rest.Byok < -HalfMicro) under.Add($"byok_usage_inference by {Text(-rest.Byok)} USD");
        if (rest.Requests < 0 || rest.Tokens.Input < 0 || rest.Tokens.Output < 0 || rest.Tokens.Reasoning < 0) under.Add("requests or tokens");
        if (under.Count > 0)
        {
            Drift.Report(ActivityEndpoint, "data[]",
                $"the per-key activity of {cell.Day:yyyy-MM-dd} {cell.Model} ({(cell.Workspace.Length == 0 ? "no workspace" : "workspace " + cell.Workspace)}) "
                + $"exceeds the unfiltered total ({string.Join(", ", under)}); nothing was ledgered as unattributed there");
        }

        var clamped = new Amounts
        {
            Tokens = new TokenCounts(Math.Max(0, rest.Tokens.Input), 0, 0, Math.Max(0, rest.Tokens.Output), Math.Max(0, rest.Tokens.Reasoning)),
            Requests = Math.Max(0, rest.Requests),
            Usage = rest.Usage > HalfMicro ? rest.Usage : 0,
            Byok = rest.Byok > HalfMicro ? rest.Byok : 0,
        };
        return clamped.Usage == 0 && clamped.Byok == 0 && clamped.Requests == 0 && clamped.Tokens.Total == 0 ? null : clamped;
    }

    private static TokenCounts Negate(TokenCounts t) => new(-t.Input, -t.CachedInput, -t.CacheWrite, -t.Output, -t.Reasoning);

    /// <summary>Adds one row's amounts: tokens and credits under the plain category, BYOK upstream cost under its own.</summary>
    private void Book(UsageTally tally, UsageKey key, Amounts amounts, string? fingerprint)
    {
        if (amounts.Requests != 0 || amounts.Tokens.Total != 0 || amounts.Usage != 0 || amounts.Byok == 0)
        {
            var sums = tally.At(key);
            sums.KeyFingerprint ??= fingerprint;
            sums.Tokens += amounts.Tokens;
            sums.Requests += amounts.Requests;
            // An unreadable usage adds nothing here: the unfiltered total's rest books it as unattributed (drift reported).
            sums.AddReported(amounts.Usage);
            sums.AddEstimate(catalog.Estimate(ProviderKind.OpenRouter, key.Model, Currency.USD, key.BucketStart, amounts.Tokens));
        }

        if (amounts.Byok != 0)
        {
            var byok = tally.At(key with { Category = ByokCategory });
            byok.KeyFingerprint ??= fingerprint;
            byok.AddReported(amounts.Byok);
            byok.AddEstimate(null); // upstream prices are not OpenRouter's: no catalog estimate beside it
        }
    }

    private static void Accumulate(Dictionary<Cell, Amounts> cells, Cell cell, Amounts amounts)
    {
        if (!cells.TryGetValue(cell, out var sum))
            cells[cell] = sum = new Amounts();
        sum.Tokens += amounts.Tokens;
        sum.Requests += amounts.Requests;
        sum.Usage += amounts.Usage;
        sum.Byok += amounts.Byok;
        sum.Unreadable |= amounts.Unreadable;
    }

    /// <summary>One activity row as a cell (day, workspace, model) and its amounts; unreadable numbers are drift.</summary>
    private (Cell Cell, Amounts Amounts) Read(ActivityRow row, string keyWorkspace)
    {
        var day = Day(row.Date) ?? throw http.Malformed(ActivityEndpoint, "data[].date", $"missing or not a date ('{row.Date}')");
        var model = string.IsNullOrWhiteSpace(row.Model) ? UnknownModel : row.Model;
        var usage = Money(row.Usage, "usage");
        var byok = Money(row.ByokUsageInference, "byok_usage_inference");
        ReportUnknownCostFields(row.Extra);
        var amounts = new Amounts
        {
            Tokens = new TokenCounts(Count(row.PromptTokens, "prompt_tokens"), 0, 0, Count(row.CompletionTokens, "completion_tokens"), Count(row.ReasoningTokens, "reasoning_tokens")),
            Requests = Count(row.Requests, "requests"),
            Usage = usage ?? 0,
            Byok = byok ?? 0,
            Unreadable = usage is null || byok is null,
        };
        return (new Cell(day, row.WorkspaceId ?? keyWorkspace, model), amounts);
    }

    private decimal? Money(JsonNumber? value, string field)
    {
        if (value is null)
        {
            Drift.Report(ActivityEndpoint, "data[]." + field, "missing (the spec requires it); the row's money is left to the unfiltered total");
            return null;
        }

        return value.Value.Read(Drift, ActivityEndpoint, "data[]." + field);
    }

    private long Count(JsonNumber? value, string field) => value?.ReadCount(Drift, ActivityEndpoint, "data[]." + field) ?? 0;

    /// <summary>A numeric field the connector does not know whose name says money: a cost line it may be missing.</summary>
    private void ReportUnknownCostFields(Dictionary<string, JsonElement>? extra)
    {
        if (extra is null)
            return;
        foreach (var (name, value) in extra)
        {
            if (value.ValueKind == JsonValueKind.Number
                && (name.Contains("usage", StringComparison.OrdinalIgnoreCase) || name.Contains("cost", StringComparison.OrdinalIgnoreCase)))
            {
                Drift.Report(ActivityEndpoint, "data[]." + name,
                    "an unknown cost field; not counted (it may be part of usage): the row's usage and byok_usage_inference are ledgered");
            }
        }
    }

    private async Task<List<ActivityRow>> ActivityAsync(string pathAndQuery, CancellationToken ct)
    {
        var (endpoint, body) = await http.GetBytesAsync(pathAndQuery, ct);
        var page = http.Deserialize(endpoint, body, OpenRouterJson.Default.ActivityPage);
        return page.Data ?? throw http.Malformed(ActivityEndpoint, "data", "missing or not an array");
    }

    /// <summary><c>/v1/activity</c> and <c>/v1/keys</c> answer only to a management key: say so instead of a bare 403.</summary>
    private async Task EnsureManagementKeyAsync(CancellationToken ct)
    {
        if (_managementKeyChecked)
            return;
        const string endpoint = "GET /v1/key";
        var current = await http.GetAsync("/v1/key", OpenRouterJson.Default.CurrentKeyPage, ct);
        var data = current.Data ?? throw http.Malformed(endpoint, "data", "missing");
        var management = data.IsManagementKey ?? data.IsProvisioningKey ?? throw http.Malformed(endpoint, "data.is_management_key", "missing");
        if (!management)
        {
            throw http.Fail(endpoint, null,
                "OpenRouter needs a management key for /activity and /keys; the configured key is an inference key (create a management key in the OpenRouter settings)");
        }

        _managementKeyChecked = true;
    }

    /// <summary>Every key of every workspace, disabled ones included; each listing walked by the pager.</summary>
    private async Task<List<KeyRow>> KeysAsync(CancellationToken ct)
    {
        if (_keys is not null)
            return _keys;
        var keys = new List<KeyRow>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var workspace in await WorkspacesAsync(ct))
        {
            var filter = workspace is null ? "" : "&workspace_id=" + Uri.EscapeDataString(workspace);
            var pages = new Pager(http, KeysEndpoint).OffsetAsync(
                offset => string.Create(CultureInfo.InvariantCulture, $"/v1/keys?include_disabled=true{filter}&offset={offset}"),
                body => http.Deserialize(KeysEndpoint, body, OpenRouterJson.Default.KeysPage),
                page => new PageInfo(page.Data?.Count ?? 0, FirstId: page.Data?.FirstOrDefault()?.Hash), // page size undocumented: ends on an empty page
                ct);
            await foreach (var page in pages)
            {
                foreach (var k in page.Data ?? throw http.Malformed(KeysEndpoint, "data", "missing or not an array"))
                {
                    var hash = k.Hash ?? throw http.Malformed(KeysEndpoint, "data[].hash", "missing");
                    if (!seen.Add(hash))
                        continue; // listed again (the list moved while paging, or a key in two listings)
                    var tail = TailOf(k.Label);
                    keys.Add(new KeyRow(
                        hash, k.Name, k.WorkspaceId ?? workspace ?? "", tail,
                        tail is not null && IsSha256Hex(hash) ? KeyFingerprint.FromHash(hash, tail) : null,
                        k.CreatorUserId, k.Disabled ?? throw http.Malformed(KeysEndpoint, "data[].disabled", "missing"),
                        Time(k.CreatedAt), Time(k.ExpiresAt)));
                }
            }
        }

        return _keys = keys;
    }

    /// <summary>
    /// The workspace ids, or a single null (the default listing) where the account has none or the server has no
    /// <c>/workspaces</c> (an OpenRouter-compatible gateway answers 404).
    /// </summary>
    private async Task<List<string?>> WorkspacesAsync(CancellationToken ct)
    {
        var ids = new List<string?>();
        try
        {
            var pages = new Pager(http, WorkspacesEndpoint).OffsetAsync(
                offset => string.Create(CultureInfo.InvariantCulture, $"/v1/workspaces?offset={offset}&limit={WorkspacePage}"),
                body => http.Deserialize(WorkspacesEndpoint, body, OpenRouterJson.Default.WorkspacesPage),
                page => new PageInfo(page.Data?.Count ?? 0, WorkspacePage, page.TotalCount?.ReadCount(Drift, WorkspacesEndpoint, "total_count"), FirstId: page.Data?.FirstOrDefault()?.Id),
                ct);
            await foreach (var page in pages)
            {
                foreach (var w in page.Data ?? throw http.Malformed(WorkspacesEndpoint, "data", "missing or not an array"))
                    ids.Add(w.Id ?? throw http.Malformed(WorkspacesEndpoint, "data[].id", "missing"));
            }
        }
        catch (ProviderException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return [null];
        }

        return ids.Count == 0 ? [null] : [.. ids.Distinct()];
    }

    private async Task<List<ModelInfo>> ModelsAsync(CancellationToken ct)
    {
        const string endpoint = "GET /v1/models";
        var list = await http.GetAsync("/v1/models?output_modalities=all", OpenRouterJson.Default.ModelsPage, ct);
        return
        [
            .. (list.Data ?? throw http.Malformed(endpoint, "data", "missing or not an array")).Select(m =>
            {
                var id = m.Id ?? throw http.Malformed(endpoint, "data[].id", "missing");
                return new ModelInfo
                {
                    Model = id,
                    Aliases = m.CanonicalSlug is { } slug && slug != id ? [slug] : [],
                    ShutdownAt = Day(m.ExpirationDate),
                };
            }),
        ];
    }

    private async Task<CreditBalanceInfo> BalanceAsync(CancellationToken ct)
    {
        const string endpoint = "GET /v1/credits";
        var credits = await http.GetAsync("/v1/credits", OpenRouterJson.Default.CreditsPage, ct);
        var data = credits.Data ?? throw http.Malformed(endpoint, "data", "missing");
        var total = data.TotalCredits?.Read(Drift, endpoint, "data.total_credits") ?? throw http.Malformed(endpoint, "data.total_credits", "missing or not a number");
        var used = data.TotalUsage?.Read(Drift, endpoint, "data.total_usage") ?? throw http.Malformed(endpoint, "data.total_usage", "missing or not a number");
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

    private static DateTimeOffset? Time(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;

    private static DateTimeOffset? Day(string? text) => Time(text) is { } t ? Windows.FloorDay(t) : null;

    private static string Text(decimal amount) => amount.ToString("0.######", CultureInfo.InvariantCulture);

    private readonly record struct Cell(DateTimeOffset Day, string Workspace, string Model);

    private sealed class Amounts
    {
        public TokenCounts Tokens;
        public long Requests;
        public decimal Usage;
        public decimal Byok;
        public bool Unreadable;
    }

    private sealed record KeyRow(
        string Hash, string? Name, string Workspace, string? Tail, string? Fingerprint, string? Owner, bool Disabled,
        DateTimeOffset? CreatedAt, DateTimeOffset? ExpiresAt);

    // The wire formats (openapi.yaml: CurrentKey l.32221, ListWorkspacesResponse l.11994, /keys l.32472,
    // ActivityItem l.37, /credits l.28706, ModelsListResponse l.34052). Unknown fields are ignored.
    private sealed class DataOf<T>
    {
        public T? Data { get; set; }
    }

    private sealed class CurrentKey
    {
        public bool? IsManagementKey { get; set; }
        public bool? IsProvisioningKey { get; set; }
    }

    private sealed class WorkspacesList
    {
        public List<Workspace>? Data { get; set; }
        public JsonNumber? TotalCount { get; set; }
    }

    private sealed class Workspace
    {
        public string? Id { get; set; }
    }

    private sealed class Key
    {
        public string? Hash { get; set; }
        public string? Name { get; set; }
        public string? Label { get; set; }
        public bool? Disabled { get; set; }
        public string? WorkspaceId { get; set; }
        public string? CreatorUserId { get; set; }
        public string? CreatedAt { get; set; }
        public string? ExpiresAt { get; set; }
    }

    private sealed class ActivityRow
    {
        public string? Date { get; set; }
        public string? Model { get; set; }
        public string? WorkspaceId { get; set; }
        public JsonNumber? Requests { get; set; }
        public JsonNumber? PromptTokens { get; set; }
        public JsonNumber? CompletionTokens { get; set; }
        public JsonNumber? ReasoningTokens { get; set; }
        public JsonNumber? Usage { get; set; }
        public JsonNumber? ByokUsageInference { get; set; }

        [JsonExtensionData]
        public Dictionary<string, JsonElement>? Extra { get; set; }
    }

    private sealed class Credits
    {
        public JsonNumber? TotalCredits { get; set; }
        public JsonNumber? TotalUsage { get; set; }
    }

    private sealed class Model
    {
        public string? Id { get; set; }
        public string? CanonicalSlug { get; set; }
        public string? ExpirationDate { get; set; }
    }

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
    [JsonSerializable(typeof(DataOf<CurrentKey>), TypeInfoPropertyName = "CurrentKeyPage")]
    [JsonSerializable(typeof(WorkspacesList), TypeInfoPropertyName = "WorkspacesPage")]
    [JsonSerializable(typeof(DataOf<List<Key>>), TypeInfoPropertyName = "KeysPage")]
    [JsonSerializable(typeof(DataOf<List<ActivityRow>>), TypeInfoPropertyName = "ActivityPage")]
    [JsonSerializable(typeof(DataOf<Credits>), TypeInfoPropertyName = "CreditsPage")]
    [JsonSerializable(typeof(DataOf<List<Model>>), TypeInfoPropertyName = "ModelsPage")]
    private sealed partial class OpenRouterJson : JsonSerializerContext;
}
