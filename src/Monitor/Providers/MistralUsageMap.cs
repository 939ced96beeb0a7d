using System.Globalization;
using Monitor.Core.Deprecations;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Hosting;

namespace Monitor.Providers;

/// <summary>
/// Mistral usage lines become ledger records: one per workspace, dated model, category and day (or month, for lines
/// without a date). Tokens are <c>value</c> (free units included) in their lane; pages, seconds, characters, calls and
/// fine-tuning units are <see cref="UsageRecord.Units"/> under their own category, never tokens. Money is
/// <c>value_paid</c> times the matching unit price; a line no price matches is estimated from the price catalog and the
/// record marked estimated (or unpriced when the catalog cannot price it either), and reported as drift.
/// </summary>
internal sealed class MistralUsageMap(ProviderOptions account, PriceCatalog catalog, DriftLog drift)
{
    private const string Endpoint = MistralConnector.UsageEndpoint;
    private const string Tokens = "tokens";

    // Per container: the unit its rows count when their event type does not say, and its ledger category.
    private static readonly Dictionary<string, (string Unit, string Category)> Containers = new(StringComparer.Ordinal)
    {
        ["completion"] = (Tokens, ""),
        ["chat"] = (Tokens, "chat"),
        ["ocr"] = ("pages", "ocr"),
        ["connectors"] = ("calls", "connectors"),
        ["audio"] = ("seconds", "audio"),
        ["audio_characters"] = ("characters", "audio_characters"),
        ["libraries_api.pages"] = ("pages", "libraries_api.pages"),
        ["libraries_api.tokens"] = (Tokens, "libraries_api.tokens"),
        ["libraries_api.audio_seconds"] = ("seconds", "libraries_api.audio_seconds"),
        ["fine_tuning.training"] = (Tokens, "fine_tuning.training"),
        ["fine_tuning.storage"] = ("units", "fine_tuning.storage"),
        ["vibe_code.completion"] = (Tokens, "vibe_code"),
        ["vibe_code.ocr"] = ("pages", "vibe_code.ocr"),
        ["vibe_code.connectors"] = ("calls", "vibe_code.connectors"),
        ["vibe_code.audio"] = ("seconds", "vibe_code.audio"),
        ["vibe_code.audio_characters"] = ("characters", "vibe_code.audio_characters"),
    };

    // Containers whose tokens are inference tokens: counted in the token lanes and estimable from the price catalog.
    // (Fine-tuning tokens stay units: they are training, not inference, and the catalog has no training prices.)
    private static readonly HashSet<string> TokenLanes = new(StringComparer.Ordinal) { "completion", "chat", "vibe_code.completion", "libraries_api.tokens" };
    private static readonly HashSet<string> Estimable = new(StringComparer.Ordinal) { "completion", "chat", "vibe_code.completion" };

    // Mistral's billing event types (spec LagoEventType) and the unit each counts.
    private static readonly Dictionary<string, string> EventUnits = new(StringComparer.Ordinal)
    {
        ["api_tokens"] = Tokens, ["api_libraries_tokens"] = Tokens, ["deployment_tokens"] = Tokens, ["vibe_tokens"] = Tokens,
        ["api_pages"] = "pages", ["api_libraries_pages"] = "pages", ["vibe_pages"] = "pages",
        ["api_audio_seconds"] = "seconds", ["api_libraries_audio"] = "seconds", ["vibe_audio_seconds"] = "seconds",
        ["api_audio_characters"] = "characters", ["vibe_audio_characters"] = "characters",
        ["api_connectors"] = "calls", ["vibe_connectors"] = "calls",
        ["gpu_hour"] = "hours", ["reserved_instance"] = "units",
    };

    private static readonly HashSet<string> KnownGroups = new(StringComparer.Ordinal) { "input", "cached", "output", "pages", "storage" };

    private readonly UsageTally _tally = new();
    private readonly Dictionary<UsageKey, Extra> _extra = [];
    private readonly HashSet<AliasObservation> _aliases = [];

    /// <summary>The aliases the usage showed (<c>alias::model</c> keys), each at the start of the bucket it was seen in.</summary>
    public IReadOnlyList<AliasObservation> Aliases => [.. _aliases.OrderBy(a => a.FirstSeenAt).ThenBy(a => a.Alias, StringComparer.Ordinal).ThenBy(a => a.Model, StringComparer.Ordinal)];

    /// <summary>Adds the lines of one workspace (or of the organisation's remainder), priced by their response's prices.</summary>
    public void Add(string workspace, IEnumerable<MistralLine> lines, MistralPriceIndex prices, Currency currency)
    {
        ArgumentNullException.ThrowIfNull(lines);
        foreach (var line in lines)
            Add(workspace, line, prices, currency);
    }

    /// <summary>Every record, in the order first seen.</summary>
    public IReadOnlyList<UsageRecord> Records(RecordFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var records = new List<UsageRecord>(_tally.Count);
        foreach (var (key, sums) in _tally.Entries)
        {
            var extra = _extra[key];
            if (!extra.Unmatched)
            {
                records.Add(factory.Create(key, sums, extra.Currency));
                continue;
            }

            // Part of the money has no price from Mistral: the whole record is an estimate (or unpriced), never free.
            var record = factory.Create(key, sums, extra.Currency);
            records.Add(extra.UnmatchedEstimate is { } estimate
                ? record with { Cost = (sums.Reported ?? 0m) + estimate, CostSource = CostSource.Estimated }
                : record with { Cost = null, CostSource = CostSource.Unpriced });
        }

        return records;
    }

    private void Add(string workspace, MistralLine line, MistralPriceIndex prices, Currency currency)
    {
        var (alias, model) = ModelOf(line);
        var (category, unit, lane) = Classify(line);
        var key = new UsageKey(account.Name, workspace, "", model, line.Day ?? line.Month, line.Day is null ? BucketWidth.Month : BucketWidth.Day, category);
        if (alias is not null)
            _aliases.Add(new AliasObservation(account.Name, alias, model, key.BucketStart));

        var sums = _tally.At(key);
        if (!_extra.TryGetValue(key, out var extra))
            _extra[key] = extra = new Extra(currency);

        TokenCounts? paidTokens = null;
        if (lane is { } l)
        {
            sums.Tokens += TokensOf(l, Count(line.Value, line.Path + ".value"));
            paidTokens = TokensOf(l, Count(line.ValuePaid, line.Path + ".value_paid"));
        }
        else
        {
            sums.AddUnits((long)decimal.Round(line.Value, MidpointRounding.AwayFromZero), unit);
        }

        decimal? estimate = paidTokens is { } paid && Estimable.Contains(line.Container) && line.Tier is null or "standard"
            ? catalog.Estimate(account.ParsedKind, model, currency, key.BucketStart, paid)
            : null;
        sums.AddEstimate(estimate);

        if (line.ValuePaid == 0)
        {
            sums.AddReported(0m); // nothing billable: free, whatever the price
            return;
        }

        var metric = line.Metric ?? model;
        var group = line.BillingGroup ?? line.Group;
        if (prices.Find(metric, group, line.EventType, line.Zone, line.Tier, out var exact) is { } price)
        {
            sums.AddReported(line.ValuePaid * price);
            if (!exact)
                drift.Report(Endpoint, line.Path + ".api_zone",
                    $"no price for zone '{line.Zone ?? "global"}' and tier '{line.Tier ?? "standard"}' of {metric}/{group}: priced at the nearest zone and tier listed");
            return;
        }

        extra.Unmatched = true;
        extra.UnmatchedEstimate = extra.UnmatchedEstimate is { } sofar && estimate is { } e ? sofar + e : null;
        drift.Report(Endpoint, line.Path,
            $"no price in prices[] for billing_metric '{metric}', billing_group '{group}', event_type '{line.EventType ?? "(none)"}': "
            + (estimate is null ? "the record is unpriced" : "estimated from the price catalog"));
    }

    /// <summary>The dated model of a map key: <c>mistral-small-latest::mistral-small-2603</c> is <c>mistral-small-2603</c>, called through its alias.</summary>
    private (string? Alias, string Model) ModelOf(MistralLine line)
    {
        var parts = line.ModelKey.Split("::");
        if (parts.Length == 1)
            return (null, line.ModelKey);
        if (parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0)
            return (parts[0], parts[1]);
        drift.Report(Endpoint, line.Path, $"model key '{line.ModelKey}' is not 'alias::model': ledgered under its last part");
        return (null, parts.LastOrDefault(p => p.Length > 0) ?? line.ModelKey);
    }

    /// <summary>
    /// The ledger category, unit and token lane of a line. The event type says what the units are (else the container
    /// does); a unit other than the container's own (audio seconds on a chat model) gets its own category, as do the
    /// priority tier and groups other than input.
    /// </summary>
    private (string Category, string Unit, Lane? Lane) Classify(MistralLine line)
    {
        var known = Containers.TryGetValue(line.Container, out var container);
        if (!known)
            container = ("units", line.Container); // reported when the container was read
        string? eventUnit = null;
        if (line.EventType is { } e && !EventUnits.TryGetValue(e, out eventUnit))
            drift.Report(Endpoint, line.Path + ".event_type", $"event type '{e}' the connector does not know: counted as {container.Unit} of {line.Container}");
        var unit = eventUnit ?? container.Unit;
        var category = container.Category;
        if (unit != container.Unit && line.EventType is { } stem)
            category = Join(category, stem.StartsWith("api_", StringComparison.Ordinal) ? stem[4..] : stem.StartsWith("vibe_", StringComparison.Ordinal) ? stem[5..] : stem);

        var group = line.BillingGroup ?? line.Group;
        if (!KnownGroups.Contains(group))
            drift.Report(Endpoint, line.Path, $"billing group '{group}' the connector does not know: counted under category '{Join(category, group)}'");
        Lane? lane = unit == Tokens && known && TokenLanes.Contains(line.Container) ? group switch
        {
            "input" => Lane.Input,
            "cached" => Lane.Cached,
            "output" => Lane.Output,
            _ => null,
        } : null;
        // Other groups get their own category; so does a token group that has no lane here (no units mixed into a token record).
        if (lane is null && (group is not ("input" or "pages" or "storage") || (unit == Tokens && known && TokenLanes.Contains(line.Container))))
            category = Join(category, group);

        switch (line.Tier)
        {
            case null or "standard":
                break;
            case "priority":
                category = Join(category, "priority");
                break;
            default:
                drift.Report(Endpoint, line.Path + ".service_tier", $"service tier '{line.Tier}' the connector does not know: counted under its own category");
                category = Join(category, line.Tier);
                break;
        }

        return (category, unit, lane);
    }

    private static string Join(string category, string part) => category.Length == 0 ? part : category + "." + part;

    private long Count(decimal value, string path)
    {
        var rounded = decimal.Round(value, MidpointRounding.AwayFromZero);
        if (rounded != value)
            drift.Report(Endpoint, path, $"expected whole tokens, got {value.ToString(CultureInfo.InvariantCulture)} (rounded)");
        return (long)rounded;
    }

    private static TokenCounts TokensOf(Lane lane, long n) => lane switch
    {
        Lane.Input => new TokenCounts(n, 0, 0, 0, 0),
        Lane.Cached => new TokenCounts(0, n, 0, 0, 0),
        _ => new TokenCounts(0, 0, 0, n, 0),
    };

    private enum Lane
    {
        Input,
        Cached,
        Output,
    }

    /// <summary>What the record factory does not hold: the record's currency, and lines no price matched.</summary>
    private sealed class Extra(Currency currency)
    {
        public Currency Currency { get; } = currency;
        public bool Unmatched { get; set; }
        public decimal? UnmatchedEstimate { get; set; } = 0m;
    }
}
