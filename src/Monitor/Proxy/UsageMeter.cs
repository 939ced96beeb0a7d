using Monitor.Core.Pricing;
using Monitor.Core.Usage;

namespace Monitor.Proxy;

/// <summary>
/// Turns each finished call into a <see cref="MeteredCall"/> (priced from the catalog; unpriced is null, never zero),
/// tells the spend guard at once, and adds it to the in-memory minute aggregates that <see cref="ProxyLedgerWriter"/>
/// commits every second. Calls that reported usage go to <see cref="MeteredBucket"/>s (the ledger's tokens and money);
/// every call, failed or not, is counted by status in <see cref="RequestCount"/>s.
/// </summary>
public sealed class UsageMeter(PriceCatalog catalog, ISpendGuard guard)
{
    private readonly Lock _lock = new();
    private Dictionary<BucketKey, Sums> _buckets = [];
    private Dictionary<CountKey, (long Requests, long Metered)> _counts = [];

    /// <summary>Meters one finished call: <paramref name="status"/> is what the caller got.</summary>
    public MeteredCall Record(ProxyCall call, int status)
    {
        ArgumentNullException.ThrowIfNull(call);
        var usage = call.Usage;
        var route = call.Route;
        var model = usage.Model ?? call.RequestedModel ?? "";
        var minute = new DateTimeOffset(call.At.UtcTicks - (call.At.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        var tokens = usage.Seen ? usage.Tokens : TokenCounts.Zero;
        // Pages have no catalog price; tokens are priced at the minute's price. A call without usage costs nothing.
        decimal? cost = usage.Pages > 0 ? null
            : tokens.Total == 0 ? 0m
            : catalog.Estimate(route.Kind, model, route.Currency, minute, tokens);
        var metered = new MeteredCall
        {
            Account = route.Account,
            KeyFingerprint = call.KeyFingerprint,
            Model = model,
            At = call.At,
            Status = status,
            Tokens = tokens,
            Cost = cost,
            Currency = route.Currency,
            Category = usage.Pages > 0 ? "ocr" : "",
            Units = usage.Pages,
            Unit = usage.Pages > 0 ? "pages" : "",
        };
        guard.Record(metered);

        lock (_lock)
        {
            var countKey = new CountKey(route.Account, call.KeyFingerprint, model, minute, status);
            var count = _counts.GetValueOrDefault(countKey);
            _counts[countKey] = (count.Requests + 1, count.Metered + (usage.Seen ? 1 : 0));
            if (usage.Seen)
            {
                var key = new BucketKey(route, call.KeyFingerprint, model, metered.Category, minute);
                if (!_buckets.TryGetValue(key, out var sums))
                    _buckets[key] = sums = new Sums(metered.Unit);
                sums.Add(tokens, metered.Units, cost);
            }
        }

        return metered;
    }

    /// <summary>Takes everything metered since the last drain.</summary>
    public (IReadOnlyList<MeteredBucket> Buckets, IReadOnlyList<RequestCount> Counts) Drain()
    {
        Dictionary<BucketKey, Sums> buckets;
        Dictionary<CountKey, (long Requests, long Metered)> counts;
        lock (_lock)
        {
            if (_buckets.Count == 0 && _counts.Count == 0)
                return ([], []);
            buckets = _buckets;
            counts = _counts;
            _buckets = [];
            _counts = [];
        }

        return (
            [.. buckets.Select(b => new MeteredBucket(b.Key.Route, b.Key.KeyFingerprint, b.Key.Model, b.Key.Category, b.Key.Minute,
                b.Value.Tokens, b.Value.Requests, b.Value.Units, b.Value.Unit, b.Value.Cost))],
            [.. counts.Select(c => new RequestCount(c.Key.Account, c.Key.KeyFingerprint, c.Key.Model, c.Key.Minute, c.Key.Status, c.Value.Requests, c.Value.Metered))]);
    }

    /// <summary>Puts back what a failed commit could not write, so the next flush writes it.</summary>
    public void Restore(IReadOnlyList<MeteredBucket> buckets, IReadOnlyList<RequestCount> counts)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        ArgumentNullException.ThrowIfNull(counts);
        lock (_lock)
        {
            foreach (var b in buckets)
            {
                var key = new BucketKey(b.Route, b.KeyFingerprint, b.Model, b.Category, b.Minute);
                if (!_buckets.TryGetValue(key, out var sums))
                    _buckets[key] = sums = new Sums(b.Unit);
                sums.Add(b.Tokens, b.Units, b.Cost, b.Requests);
            }

            foreach (var c in counts)
            {
                var key = new CountKey(c.Account, c.KeyFingerprint, c.Model, c.Minute, c.Status);
                var count = _counts.GetValueOrDefault(key);
                _counts[key] = (count.Requests + c.Requests, count.Metered + c.Metered);
            }
        }
    }

    private readonly record struct BucketKey(ProxyRoute Route, string KeyFingerprint, string Model, string Category, DateTimeOffset Minute);

    private readonly record struct CountKey(string Account, string KeyFingerprint, string Model, DateTimeOffset Minute, int Status);

    private sealed class Sums(string unit)
    {
        public TokenCounts Tokens { get; private set; }
        public long Requests { get; private set; }
        public long Units { get; private set; }
        public string Unit { get; } = unit;
        public decimal? Cost { get; private set; }
        private bool _priced;

        public void Add(TokenCounts tokens, long units, decimal? cost, long requests = 1)
        {
            Tokens += tokens;
            Units += units;
            Requests += requests;
            if (cost is { } c)
            {
                Cost = (_priced ? Cost : 0m) + c;
                _priced = true;
            }
        }
    }
}
