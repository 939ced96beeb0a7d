using System.Security.Cryptography;
using System.Text;
using Monitor.Core.Pricing;

namespace Monitor.Demo;

/// <summary>
/// The demo's truth: Mistral (EUR), OpenAI, Anthropic, an OpenRouter account, a Kilo Code user and a LiteLLM proxy
/// (USD), their workspaces, keys, prices and
/// <see cref="Hours"/> of usage over [<see cref="Start"/>, <see cref="End"/>) with office-hour seasonality, quiet
/// weekends, growth, noise and one injected overnight <see cref="Incident"/>. The same arguments give exactly
/// the same scenario; nothing reads the clock.
/// </summary>
public sealed class DemoScenario
{
    public const string Mistral = "mistral";
    public const string OpenAI = "openai";
    public const string Anthropic = "anthropic";
    public const string OpenRouter = "openrouter";
    public const string Kilo = "kilo";
    public const string LiteLLM = "litellm";

    private const double WeekendFactor = 0.3;
    private const double Growth = 0.3;
    private const double Noise = 0.15;
    private const double IncidentMultiple = 10.0;

    // Relative volume per local hour of day: office hours, a lunch dip, quiet nights.
    private static readonly double[] OfficeProfile =
        [0.06, 0.05, 0.04, 0.04, 0.05, 0.08, 0.15, 0.35, 0.70, 0.95, 1.00, 1.00,
         0.80, 0.90, 1.00, 1.00, 0.90, 0.70, 0.45, 0.30, 0.20, 0.14, 0.10, 0.08];

    // A nightly batch pipeline: submitted at 01:00, done by 06:00 local time.
    private static readonly double[] NightlyBatchProfile =
        [0, 1.0, 1.0, 0.8, 0.6, 0.4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private readonly Dictionary<(string Provider, string Model), DemoPrice> _priceIndex;

    private DemoScenario(
        DateTimeOffset now, DateTimeOffset start, DateTimeOffset end,
        IReadOnlyList<DemoWorkspace> workspaces, IReadOnlyList<DemoKey> keys, IReadOnlyList<DemoPrice> prices,
        IReadOnlyList<DemoUsageHour> hours, DemoIncident incident)
    {
        Now = now;
        Start = start;
        End = end;
        Workspaces = workspaces;
        Keys = keys;
        Prices = prices;
        Hours = hours;
        Incident = incident;
        _priceIndex = prices.ToDictionary(p => (p.Provider, p.Model));
        VisibleUntil = end;
    }

    /// <summary>The instant the scenario was created for (deprecation and expiry dates are relative to it).</summary>
    public DateTimeOffset Now { get; }

    /// <summary>First hour with usage: (End - days) at 00:00 UTC.</summary>
    public DateTimeOffset Start { get; }

    /// <summary><see cref="Now"/> truncated to the hour; exclusive.</summary>
    public DateTimeOffset End { get; }

    public IReadOnlyList<DemoWorkspace> Workspaces { get; }
    public IReadOnlyList<DemoKey> Keys { get; }
    public IReadOnlyList<DemoPrice> Prices { get; }

    /// <summary>Non-zero hours, ordered by provider, workspace, key, model, batch, then hour.</summary>
    public IReadOnlyList<DemoUsageHour> Hours { get; }

    public DemoIncident Incident { get; }

    /// <summary>
    /// How far the fakes have "seen" usage (default <see cref="End"/>): tests move it forward between polls to play a
    /// provider whose month-to-date counters grow. Only hours before it are served by the Mistral fake.
    /// </summary>
    public DateTimeOffset VisibleUntil { get; set; }

    /// <summary>Alias targets and key changes the model and key listings show (tests move them between pulls).</summary>
    public DemoLifecycle Lifecycle { get; } = new();

    public static bool IsEmbeddingModel(string model) => model.Contains("embed", StringComparison.Ordinal);

    public DemoPrice PriceOf(string provider, string model) =>
        _priceIndex.TryGetValue((provider, model), out var price)
            ? price
            : throw new KeyNotFoundException($"The demo has no {provider} price for {model}.");

    /// <summary>Uncached plus cached input cost of the hour in the provider's currency; batch traffic at 50%.</summary>
    public decimal InputCostOf(DemoUsageHour hour)
    {
        var price = PriceOf(hour.Provider, hour.Model);
        var cost = price.InputCost(hour.InputTokens) + price.CachedInputCost(hour.CachedInputTokens) + price.CacheWriteCost(hour.CacheWriteTokens);
        return hour.Batch ? cost / 2 : cost;
    }

    /// <summary>Output cost of the hour in the provider's currency; batch traffic at 50%.</summary>
    public decimal OutputCostOf(DemoUsageHour hour)
    {
        var cost = PriceOf(hour.Provider, hour.Model).OutputCost(hour.OutputTokens);
        return hour.Batch ? cost / 2 : cost;
    }

    public decimal CostOf(DemoUsageHour hour) => InputCostOf(hour) + OutputCostOf(hour);

    public static DemoScenario Create(DateTimeOffset now, int days = 90, int seed = 42)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 3);
        now = now.ToUniversalTime();
        var end = TruncateToHour(now);
        var startDay = end.AddDays(-days);
        var start = new DateTimeOffset(startDay.Year, startDay.Month, startDay.Day, 0, 0, 0, TimeSpan.Zero);

        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

        var openRouterWorkspace = StableUuid("openrouter workspace default");
        var openRouterResearch = StableUuid("openrouter workspace research"); // keys outside the default workspace
        var productTeam = StableUuid("mistral workspace Product Team");
        var dataScience = StableUuid("mistral workspace Data Science");
        var supportBot = StableUuid("mistral workspace Support Bot");
        DemoWorkspace[] workspaces =
        [
            new(Mistral, productTeam, "Product Team"),
            new(Mistral, dataScience, "Data Science"),
            new(Mistral, supportBot, "Support Bot"),
            new(OpenAI, "proj_webapp", "web-app"),
            new(OpenAI, "proj_batch", "batch-pipeline"),
            new(OpenAI, "proj_support", "support"),
            new(Anthropic, "wrkspc_01Research", "research"),
            new(Anthropic, "wrkspc_01Agents", "agents"),
            new(OpenRouter, openRouterWorkspace, "Default"),
            new(OpenRouter, openRouterResearch, "Research"),
            new(LiteLLM, "team-search", "search"),
            new(LiteLLM, "team-chat", "chat"),
        ];

        var productKey = StableUuid("mistral key product-backend");
        var dataKey = StableUuid("mistral key ds-notebooks");
        var supportBotKey = StableUuid("mistral key support-bot");
        DemoKey[] keys =
        [
            MistralKey(productKey, "product-backend", productTeam, now.AddDays(-200), null, "alice.martin@example.com", "HQSx...Ug6Y"),
            MistralKey(dataKey, "ds-notebooks", dataScience, now.AddDays(-70), null, "bruno.lefevre@example.com", "p3Rt...Zk8q"),
            MistralKey(supportBotKey, "support-bot", supportBot, now.AddDays(-86), now.AddDays(20), "chloe.durand@example.com", "Wm7c...aB2d"),
            OpenAIKey("key_webapp", "web-app production", "proj_webapp", now.AddDays(-84), "dana.smith@example.com", "sk-pro...1x2Y"),
            OpenAIKey("key_batch", "batch pipeline", "proj_batch", now.AddDays(-150), "evan.jones@example.com", "sk-pro...Qe7m"),
            OpenAIKey("key_support", "support assistant", "proj_support", now.AddDays(-89), "fay.chen@example.com", "sk-pro...kL0p"),
            new DemoKey
            {
                Provider = OpenAI, KeyId = "key_admin", Name = "spend monitor (admin)", WorkspaceId = null,
                CreatedAt = TruncateToHour(now.AddDays(-30)), ExpiresAt = null, OwnerEmail = "dana.smith@example.com",
                RedactedValue = "sk-admin...f3Jd", IsAdmin = true,
            },
            OtherKey(Anthropic, "apikey_01ResearchBot", "research-bot", "wrkspc_01Research", now.AddDays(-40), null, "gina.rossi@example.com", "sk-ant-api03-R2D...igAA"),
            OtherKey(Anthropic, "apikey_01AgentRunner", "agent-runner", "wrkspc_01Agents", now.AddDays(-120), now.AddDays(10), "hugo.weber@example.com", "sk-ant-api03-Xy7...Lm2Q"),
            OtherKey(OpenRouter, StableHex("openrouter key production app"), "Production App", openRouterWorkspace, now.AddDays(-60), null, "ivy.park@example.com", "sk-or-v1-a3f...9c1"),
            OtherKey(OpenRouter, StableHex("openrouter key eval scripts"), "Eval scripts", openRouterResearch, now.AddDays(-100), now.AddDays(45), "jon.ortiz@example.com", "sk-or-v1-7be...42d"),
            OtherKey(LiteLLM, StableHex("litellm key search"), "search-service", "team-search", now.AddDays(-95), null, "kim.nguyen@example.com", "sk-...Fh3k"),
            OtherKey(LiteLLM, StableHex("litellm key chat"), "chat-frontend", "team-chat", now.AddDays(-35), now.AddDays(60), "leo.moreau@example.com", "sk-...Tz8w"),
        ];

        DemoPrice[] prices =
        [
            MistralPrice("mistral-large-2512", 0.44m, 1.30m),
            MistralPrice("mistral-small-2603", 0.12m, 0.50m),
            MistralPrice("mistral-medium-2505", 0.35m, 1.75m),
            MistralPrice("codestral-2508", 0.26m, 0.79m),
            MistralPrice("mistral-embed", 0.10m, 0m),
            new(OpenAI, "gpt-4.1-2025-04-14", Currency.USD, 2.00m, 0.50m, 8.00m),
            new(OpenAI, "gpt-4o-mini-2024-07-18", Currency.USD, 0.15m, 0.075m, 0.60m),
            // Billed above the catalog's 0.02: the demo's reconciliation gap (a price that drifted).
            new(OpenAI, "text-embedding-3-small", Currency.USD, 0.025m, 0.025m, 0m),
            new(Anthropic, "claude-sonnet-4-5-20250929", Currency.USD, 3.00m, 0.30m, 15.00m),
            new(Anthropic, "claude-haiku-4-5-20251001", Currency.USD, 1.00m, 0.10m, 5.00m),
            new(OpenRouter, "anthropic/claude-sonnet-4.5", Currency.USD, 3.00m, 0.30m, 15.00m),
            new(OpenRouter, "openai/gpt-4.1-mini", Currency.USD, 0.40m, 0.10m, 1.60m),
            new(Kilo, "anthropic/claude-sonnet-4", Currency.USD, 3.00m, 0.30m, 15.00m),
            new(LiteLLM, "gpt-4o-mini", Currency.USD, 0.15m, 0.075m, 0.60m),
            new(LiteLLM, "claude-3-5-haiku-20241022", Currency.USD, 0.80m, 0.08m, 4.00m),
        ];

        Series[] series =
        [
            new(Mistral, productTeam, productKey, "mistral-large-2512", 6_000_000, 0.25, 3000, false, paris, OfficeProfile),
            new(Mistral, productTeam, productKey, "mistral-medium-2505", 2_500_000, 0.30, 2500, false, paris, OfficeProfile),
            new(Mistral, productTeam, productKey, "mistral-small-2603", 10_000_000, 0.30, 1500, false, paris, OfficeProfile),
            new(Mistral, dataScience, dataKey, "mistral-embed", 18_000_000, 0, 600, false, paris, OfficeProfile),
            new(Mistral, dataScience, dataKey, "mistral-large-2512", 3_500_000, 0.20, 4000, false, paris, OfficeProfile),
            new(Mistral, supportBot, supportBotKey, "codestral-2508", 4_500_000, 0.15, 2000, false, paris, OfficeProfile),
            new(Mistral, supportBot, supportBotKey, "mistral-small-2603", 8_000_000, 0.35, 1200, false, paris, OfficeProfile),
            new(OpenAI, "proj_webapp", "key_webapp", "gpt-4.1-2025-04-14", 4_000_000, 0.20, 2500, false, newYork, OfficeProfile),
            new(OpenAI, "proj_webapp", "key_webapp", "text-embedding-3-small", 25_000_000, 0, 500, false, newYork, OfficeProfile),
            new(OpenAI, "proj_batch", "key_batch", "gpt-4o-mini-2024-07-18", 50_000_000, 0.20, 2000, true, newYork, NightlyBatchProfile),
            new(OpenAI, "proj_support", "key_support", "gpt-4.1-2025-04-14", 1_800_000, 0.25, 1800, false, newYork, OfficeProfile),
            new(OpenAI, "proj_support", "key_support", "gpt-4o-mini-2024-07-18", 8_000_000, 0.30, 1200, false, newYork, OfficeProfile),
            new(Anthropic, "wrkspc_01Research", "apikey_01ResearchBot", "claude-sonnet-4-5-20250929", 3_000_000, 0.30, 3500, false, paris, OfficeProfile, CacheWriteShare: 0.05),
            new(Anthropic, "wrkspc_01Agents", "apikey_01AgentRunner", "claude-haiku-4-5-20251001", 12_000_000, 0.20, 2500, false, newYork, OfficeProfile, CacheWriteShare: 0.08),
            new(OpenRouter, openRouterWorkspace, keys[^4].KeyId, "anthropic/claude-sonnet-4.5", 2_000_000, 0.25, 2800, false, newYork, OfficeProfile, ReasoningShare: 0.2),
            new(OpenRouter, openRouterResearch, keys[^3].KeyId, "openai/gpt-4.1-mini", 5_000_000, 0.15, 1500, false, newYork, OfficeProfile),
            new(Kilo, "", "", "anthropic/claude-sonnet-4", 1_500_000, 0.20, 6000, false, paris, OfficeProfile, ReasoningShare: 0.1),
            new(LiteLLM, "team-search", keys[^2].KeyId, "gpt-4o-mini", 3_000_000, 0.10, 1000, false, newYork, OfficeProfile),
            new(LiteLLM, "team-chat", keys[^1].KeyId, "claude-3-5-haiku-20241022", 6_000_000, 0.30, 1400, false, newYork, OfficeProfile),
        ];

        var createdAt = keys.ToDictionary(k => k.KeyId, k => TruncateToHour(k.CreatedAt));
        createdAt[""] = start; // Kilo usage belongs to a user, not a key
        var generated = series
            .Select(s => Generate(s, start, end, createdAt[s.KeyId], seed))
            .ToList();

        // The incident: the support key burns about ten times its normal daily spend overnight in New York.
        var incidentDay = TimeZoneInfo.ConvertTime(end.AddDays(-2), newYork).Date;
        var incidentStart = ToUtc(incidentDay, newYork);
        var incidentEnd = ToUtc(incidentDay.AddHours(7), newYork);
        var incident = new DemoIncident(OpenAI, "key_support", "gpt-4.1-2025-04-14", incidentStart, incidentEnd);
        var priceIndex = prices.ToDictionary(p => (p.Provider, p.Model));
        var target = series.Select((s, i) => (s, i)).Single(x => x.s.KeyId == incident.KeyId && x.s.Model == incident.Model).i;
        generated[target] = InjectIncident(generated[target], generated, incident, priceIndex, seed);

        var hours = generated.SelectMany(h => h)
            .OrderBy(h => h.Provider, StringComparer.Ordinal)
            .ThenBy(h => h.Workspace, StringComparer.Ordinal)
            .ThenBy(h => h.KeyId, StringComparer.Ordinal)
            .ThenBy(h => h.Model, StringComparer.Ordinal)
            .ThenBy(h => h.Batch)
            .ThenBy(h => h.HourStart)
            .ToArray();
        return new DemoScenario(now, start, end, workspaces, keys, prices, hours, incident);
    }

    private static List<DemoUsageHour> Generate(Series s, DateTimeOffset start, DateTimeOffset end, DateTimeOffset keyCreated, int seed)
    {
        var random = new Random(unchecked(seed * 31 + StableHash($"{s.Provider}/{s.KeyId}/{s.Model}/{s.Batch}")));
        var profileSum = s.Profile.Sum();
        var span = (end - start).TotalHours;
        var chat = !IsEmbeddingModel(s.Model);
        var hours = new List<DemoUsageHour>();
        for (var hour = start; hour < end; hour = hour.AddHours(1))
        {
            // Draw the same numbers for every hour so one series never shifts another's randomness.
            var noise = 1 + (random.NextDouble() * 2 - 1) * Noise;
            var cachedShare = 0.2 + random.NextDouble() * 0.2;
            var outputNoise = 1 + (random.NextDouble() * 2 - 1) * 0.1;
            if (hour < keyCreated)
                continue;

            var local = TimeZoneInfo.ConvertTime(hour, s.Zone);
            var weekend = local.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
            var growth = 1 + Growth * (hour - start).TotalHours / span;
            var volume = s.DailyInput * s.Profile[local.Hour] / profileSum * (weekend ? WeekendFactor : 1) * growth * noise;
            var input = (long)Math.Round(volume);
            if (input <= 0)
                continue;

            var cached = chat ? (long)Math.Round(input * cachedShare) : 0;
            var cacheWrite = (long)Math.Round(input * s.CacheWriteShare);
            var output = (long)Math.Round(input * s.OutputRatio * outputNoise);
            hours.Add(new DemoUsageHour
            {
                Provider = s.Provider,
                Workspace = s.Workspace,
                KeyId = s.KeyId,
                Model = s.Model,
                HourStart = hour,
                InputTokens = input - cached - cacheWrite,
                CachedInputTokens = cached,
                CacheWriteTokens = cacheWrite,
                OutputTokens = output,
                ReasoningTokens = (long)Math.Round(output * s.ReasoningShare),
                Requests = Math.Max(1, (long)Math.Round((double)input / s.TokensPerRequest)),
                Batch = s.Batch,
            });
        }

        return hours;
    }

    private static List<DemoUsageHour> InjectIncident(
        List<DemoUsageHour> target, List<List<DemoUsageHour>> all, DemoIncident incident,
        Dictionary<(string, string), DemoPrice> prices, int seed)
    {
        // Normal daily spend of the key: its average over the seven days before the incident.
        var baselineFrom = incident.Start.AddDays(-7);
        var baseline = all.SelectMany(h => h)
            .Where(h => h.KeyId == incident.KeyId && h.HourStart >= baselineFrom && h.HourStart < incident.Start)
            .Sum(h =>
            {
                var p = prices[(h.Provider, h.Model)];
                return p.InputCost(h.InputTokens) + p.CachedInputCost(h.CachedInputTokens) + p.CacheWriteCost(h.CacheWriteTokens) + p.OutputCost(h.OutputTokens);
            }) / 7m;

        // Stolen-key traffic: no cache hits, long answers (output = half the input).
        var price = prices[(incident.Provider, incident.Model)];
        var costPerInputToken = (price.InputPerMillion + 0.5m * price.OutputPerMillion) / 1_000_000m;
        var incidentHours = (int)(incident.End - incident.Start).TotalHours;
        var perHour = (double)(baseline * (decimal)IncidentMultiple / costPerInputToken) / incidentHours;
        var random = new Random(unchecked(seed * 31 + StableHash("incident")));

        var byHour = target.ToDictionary(h => h.HourStart);
        for (var hour = incident.Start; hour < incident.End; hour = hour.AddHours(1))
        {
            var extra = (long)Math.Round(perHour * (1 + (random.NextDouble() * 2 - 1) * Noise));
            byHour.TryGetValue(hour, out var normal);
            byHour[hour] = new DemoUsageHour
            {
                Provider = incident.Provider,
                Workspace = normal?.Workspace ?? target[0].Workspace,
                KeyId = incident.KeyId,
                Model = incident.Model,
                HourStart = hour,
                InputTokens = (normal?.InputTokens ?? 0) + extra,
                CachedInputTokens = normal?.CachedInputTokens ?? 0,
                OutputTokens = (normal?.OutputTokens ?? 0) + extra / 2,
                Requests = (normal?.Requests ?? 0) + extra / 1500,
                Batch = false,
            };
        }

        return [.. byHour.Values.OrderBy(h => h.HourStart)];
    }

    private static DemoKey MistralKey(
        string id, string name, string workspace, DateTimeOffset created, DateTimeOffset? expires, string owner, string hidden) =>
        new()
        {
            Provider = Mistral, KeyId = id, Name = name, WorkspaceId = workspace, CreatedAt = TruncateToHour(created),
            ExpiresAt = expires is { } e ? new DateTimeOffset(e.Year, e.Month, e.Day, 0, 0, 0, TimeSpan.Zero) : null,
            OwnerEmail = owner, RedactedValue = hidden,
        };

    private static DemoKey OpenAIKey(string id, string name, string project, DateTimeOffset created, string owner, string redacted) =>
        new()
        {
            Provider = OpenAI, KeyId = id, Name = name, WorkspaceId = project, CreatedAt = TruncateToHour(created),
            ExpiresAt = null, OwnerEmail = owner, RedactedValue = redacted,
        };

    private static DemoKey OtherKey(
        string provider, string id, string name, string workspace, DateTimeOffset created, DateTimeOffset? expires, string owner, string redacted) =>
        new()
        {
            Provider = provider, KeyId = id, Name = name, WorkspaceId = workspace, CreatedAt = TruncateToHour(created),
            ExpiresAt = expires is { } e ? TruncateToHour(e) : null, OwnerEmail = owner, RedactedValue = redacted,
        };

    private static DemoPrice MistralPrice(string model, decimal input, decimal output) =>
        new(Mistral, model, Currency.EUR, input, input / 10, output);

    private static DateTimeOffset TruncateToHour(DateTimeOffset t) =>
        new(t.Year, t.Month, t.Day, t.Hour, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset ToUtc(DateTime local, TimeZoneInfo zone) =>
        new(TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone), TimeSpan.Zero);

    private static int StableHash(string text) =>
        BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0);

    /// <summary>A SHA-256 hex string, the form OpenRouter and LiteLLM use for key ids.</summary>
    private static string StableHex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string StableUuid(string text)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(text))[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString();
    }

    private sealed record Series(
        string Provider, string Workspace, string KeyId, string Model, double DailyInput, double OutputRatio,
        int TokensPerRequest, bool Batch, TimeZoneInfo Zone, double[] Profile, double CacheWriteShare = 0, double ReasoningShare = 0);
}
