using System.Globalization;
using Microsoft.Extensions.Options;
using Monitor.Core.Alerts;
using Monitor.Core.Anomalies;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Checks;

/// <summary>
/// Anomalies per key, per workspace (all its keys) and per account: reads the ledger up to the check's as-of time in
/// streaming queries ordered by account and time (the primary key's order: no sort), sums each series' hour (or day,
/// for accounts without hourly buckets) over its models, scores every step with a <see cref="KeyWatch"/> (zero steps
/// included), adds what the key inventory says (quiet, rotated or unknown keys), and returns one decision per
/// reportable incident that touches a step examined by this check: a step after the previous check, or one written
/// since then (a backfill or import of an old window). A workspace or account incident is only reported when no key
/// incident (or workspace one) of it overlaps, so one event mails once. Muted (planned) stretches are scored without
/// being learned, so they stay out of the baselines.
/// <para>Incremental: each series' state is saved as it stood at the checkpoint (the start of the day before the
/// as-of day: older buckets are settled), and the next check restores it and reads only the buckets from there on.
/// An account is rebuilt from its whole history when rows below the checkpoint were written since the previous check
/// (a backfill), and every series is when the settings or mutes changed or the as-of time went back.</para>
/// </summary>
public sealed class AnomalyEvaluator(Database database, AlertRepository alerts, PriceCatalog catalog, IOptions<MonitorOptions> options) : IAlertEvaluator
{
    private readonly UsageWindowReader _usage = new(database);
    private readonly AnomalyStateRepository _states = new(database);
    private readonly InventoryRepository _inventory = new(database);

    public string Name => "anomalies";

    public async Task<IReadOnlyList<AlertDecision>> EvaluateAsync(CheckContext context, CancellationToken ct)
    {
        var o = options.Value.Anomalies;
        if (!o.Enabled)
            return [];
        var rules = o.ToRules();
        var asOf = context.AsOf.ToUnixTimeSeconds();
        var examinedFrom = (context.PreviousAsOf ?? context.AsOf - o.InitialLookBack).ToUnixTimeSeconds();
        var mutes = await alerts.MutesAsync(DateTimeOffset.UnixEpoch, context.AsOf, ct);
        var checkpoint = Math.Max(0, asOf / 86_400 * 86_400 - 86_400);
        var fingerprint = Fingerprint(rules, mutes);

        var inventory = await InventoryAsync(ct);
        var mark = await _states.IngestedMarkAsync(ct);
        var saved = await _states.CheckpointAsync(ct);
        var incremental = saved is not null && saved.Fingerprint == fingerprint && saved.At <= checkpoint;
        var rebuild = incremental ? await _states.AccountsToRebuildAsync(saved!.IngestedMark, saved.At, ct) : [];
        var states = incremental ? await _states.StatesAsync(rebuild, ct) : [];
        var run = new Run(rules, mutes, inventory, examinedFrom, checkpoint, context.PreviousAsOf?.ToUnixTimeSeconds());

        if (!incremental)
        {
            await run.ReadAsync(_usage.BucketsAsync(UsageScope.All, null, asOf, ct), null, catalog, ct);
        }
        else
        {
            // Settled buckets of every other account come from the saved states; a rebuilt account is read whole. The
            // recent buckets come through the time index, sorted by account: each series needs its own in time order,
            // and one account's series at a time stay in the processor's caches.
            run.Restore(states, rebuild, out var unreadable);
            rebuild.UnionWith(unreadable);
            await run.ReadAsync(_usage.BucketsAsync(UsageScope.All, saved!.At, asOf, ct), rebuild, catalog, ct);
            foreach (var account in rebuild.Order(StringComparer.Ordinal))
            {
                await run.ReadAsync(_usage.BucketsAsync(new UsageScope(Account: account), null, asOf, ct), null, catalog, ct);
            }
        }

        var found = run.Finish(asOf);
        var decisions = new List<AlertDecision>();
        foreach (var (s, incident) in Combine(found))
        {
            var top = await TopModelsAsync(s, incident, ct);
            decisions.Add(AnomalyAlert.Compose(s.Scope, incident, TimeSpan.FromSeconds(s.StepSeconds), s.Recent, top));
        }

        // Only what changed is written: nothing when the checkpoint has not moved and no account was rebuilt.
        var advanced = !incremental || checkpoint > saved!.At;
        if (advanced || rebuild.Count > 0)
        {
            var toSave = run.Series.Where(s => s.Snapshot is not null && (advanced || rebuild.Contains(s.Scope.Account)))
                .Select(s => (s.Scope.Account, AnomalySeries.Id(s.Scope, s.Daily), s.Snapshot));
            await _states.SaveAsync(new AnomalyStateRepository.Checkpoint(checkpoint, asOf, mark, fingerprint), !incremental, rebuild, toSave, ct);
        }
        else if (saved!.IngestedMark != mark || saved.AsOf != asOf)
        {
            await _states.SaveAsync(saved with { AsOf = asOf, IngestedMark = mark }, false, [], [], ct);
        }

        return decisions;
    }

    /// <summary>
    /// The incidents to report: every examined key incident; a workspace's or account's only when it sums more than
    /// one key and no key incident (or, for an account, workspace incident) of it overlaps in time.
    /// </summary>
    private static IEnumerable<(AnomalySeries Series, AnomalyIncident Incident)> Combine(List<(AnomalySeries Series, AnomalyIncident Incident, bool Examined)> found)
    {
        foreach (var f in found.Where(f => f.Examined))
        {
            var explained = f.Series.Scope.Level != AnomalyLevel.Key && (f.Series.Members < 2 || found.Any(other =>
                other.Series.Scope.Account == f.Series.Scope.Account && other.Series.Scope.Level < f.Series.Scope.Level
                && (f.Series.Scope.Level == AnomalyLevel.Account || other.Series.Scope.Workspace == f.Series.Scope.Workspace)
                && Overlaps(f.Series, f.Incident, other.Series, other.Incident)));
            if (!explained)
                yield return (f.Series, f.Incident);
        }
    }

    private static bool Overlaps(AnomalySeries a, AnomalyIncident x, AnomalySeries b, AnomalyIncident y)
    {
        // Incidents a merge gap apart are one event (the merge gap of the coarser series).
        var gap = 6 * Math.Max(a.StepSeconds, b.StepSeconds);
        return x.Start * a.StepSeconds <= (y.End + 1) * b.StepSeconds + gap && y.Start * b.StepSeconds <= (x.End + 1) * a.StepSeconds + gap;
    }

    // Anything that changes what a series learns or how it is scored: the state format, the rules, the mutes.
    private static string Fingerprint(AnomalyRules rules, IReadOnlyList<AlertMute> mutes) =>
        string.Create(CultureInfo.InvariantCulture, $"{AnomalySeries.Format};{rules};")
        + string.Join(",", mutes.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Id}:{m.From.ToUnixTimeSeconds()}:{m.Until.ToUnixTimeSeconds()}")));

    private async Task<IReadOnlyList<(string Model, decimal Cost)>> TopModelsAsync(AnomalySeries s, AnomalyIncident incident, CancellationToken ct)
    {
        var scope = new UsageScope(
            Account: s.Scope.Account,
            Workspace: s.Scope.Level == AnomalyLevel.Account ? null : s.Scope.Workspace,
            KeyId: s.Scope.Level == AnomalyLevel.Key ? s.Scope.KeyId : null);
        var rows = await _usage.TopModelsAsync(scope, incident.Start * s.StepSeconds, incident.End * s.StepSeconds, s.Daily ? "1d" : "1h", 3, ct);
        return [.. rows.Select(r => (r.Model, MoneyUnits.FromMicros(r.CostMicros)))];
    }

    /// <summary>One check's series as the ledger streams by: every key's, workspace's and account's, by scope.</summary>
    private sealed class Run
    {
        private readonly Dictionary<(string Account, string Workspace, string KeyId, AnomalyLevel Level, bool Daily), AnomalySeries> _series = [];
        private readonly Dictionary<(string Account, string Workspace, string KeyId, bool Daily), Route> _routes = [];
        private readonly HashSet<string> _hourlyAccounts = new(StringComparer.Ordinal);
        private readonly AnomalyRules _rules;
        private readonly IReadOnlyList<AlertMute> _mutes;
        private readonly Inventory _inventory;
        private readonly long _examinedFrom;
        private readonly long _checkpoint;
        private readonly long? _writtenAfter;
        private readonly Func<AnomalySeries, long, long, AnomalySignals> _status;

        public Run(AnomalyRules rules, IReadOnlyList<AlertMute> mutes, Inventory inventory, long examinedFrom, long checkpoint, long? writtenAfter)
        {
            _rules = rules;
            _mutes = mutes;
            _inventory = inventory;
            _examinedFrom = examinedFrom;
            _checkpoint = checkpoint;
            _writtenAfter = writtenAfter;
            _status = (s, at, lastActive) => s.Scope.Level == AnomalyLevel.Key ? inventory.StatusAt(s.Scope, at, lastActive, rules) : AnomalySignals.None;
        }

        public IEnumerable<AnomalySeries> Series => _series.Values;

        /// <summary>Restores the saved series; accounts with a state of another format are reported to be rebuilt.</summary>
        public void Restore(Dictionary<(string Account, string Series), byte[]> states, HashSet<string> rebuild, out HashSet<string> unreadable)
        {
            var failed = new HashSet<string>(StringComparer.Ordinal);
            unreadable = failed;
            foreach (var ((account, _), state) in states)
            {
                if (rebuild.Contains(account))
                    continue;
                var s = AnomalySeries.Restore(account, state, (a, k) => _inventory.Keys.TryGetValue((a, k), out var key) ? key.Name : null, _rules, _mutes, _examinedFrom, _checkpoint);
                if (s is null)
                {
                    failed.Add(account);
                    continue;
                }

                _series[(account, s.Scope.Workspace, s.Scope.KeyId, s.Scope.Level, s.Daily)] = s;
                if (!s.Daily)
                    _hourlyAccounts.Add(account);
            }

            foreach (var key in _series.Keys.Where(k => failed.Contains(k.Account)).ToList())
                _series.Remove(key);
        }

        /// <summary>Streams rows (ordered by account and time) into their key, workspace and account series.</summary>
        public async Task ReadAsync(IAsyncEnumerable<LedgerBucket> buckets, HashSet<string>? skip, PriceCatalog catalog, CancellationToken ct)
        {
            await foreach (var row in buckets.WithCancellation(ct))
            {
                var account = row.Account;
                if (skip is not null && skip.Contains(account))
                    continue;
                var daily = row.Daily;
                if (!daily)
                    _hourlyAccounts.Add(account);
                var workspace = row.Workspace;
                var keyId = row.KeyId;
                var model = row.Model;
                var start = row.Start;
                var cost = row.CostMicros is { } micros ? micros / 1e6 : 0;
                var tokens = (double)row.Tokens;
                var requests = (double)row.Requests;
                var touched = _writtenAfter is { } after && row.IngestedAt > after;
                // One lookup per row: the key's route holds its key, workspace and account series.
                if (!_routes.TryGetValue((account, workspace, keyId, daily), out var route))
                {
                    route = new Route(SeriesOf(row, account, workspace, keyId, daily));
                    _routes.Add((account, workspace, keyId, daily), route);
                }

                string? provider = null;
                string? currency = null;
                var newModel = !ReferenceEquals(route.LastModel, model) && !string.Equals(route.LastModel, model, StringComparison.Ordinal);
                foreach (var s in route.Series)
                {
                    s.Advance(start / s.StepSeconds, _status);
                    if (newModel && !s.Watch.KnowsModel(model))
                    {
                        provider ??= row.Provider;
                        currency ??= row.Currency;
                        s.Watch.UseModel(model, PriceOf(catalog, provider, model, currency, start));
                    }

                    if (s.Scope.Level != AnomalyLevel.Key && s.Members < 2)
                        s.AddMember(s.Scope.Level == AnomalyLevel.Account ? workspace + "\u001f" + keyId : keyId);
                    s.Add(cost, tokens, requests);
                    if (touched)
                        s.Touch(start / s.StepSeconds);
                }

                route.LastModel = model;
            }
        }

        // The key's, its workspace's (when it has one) and its account's series, created when new.
        private AnomalySeries[] SeriesOf(LedgerBucket row, string account, string workspace, string keyId, bool daily)
        {
            var series = new List<AnomalySeries>(3);
            string? currency = null;
            for (var level = AnomalyLevel.Key; level <= AnomalyLevel.Account; level++)
            {
                if (level == AnomalyLevel.Workspace && workspace.Length == 0)
                    continue;
                var id = (account, level == AnomalyLevel.Account ? "" : workspace, level == AnomalyLevel.Key ? keyId : "", level, daily);
                if (!_series.TryGetValue(id, out var s))
                {
                    currency ??= row.Currency;
                    var name = level == AnomalyLevel.Key && _inventory.Keys.TryGetValue((account, keyId), out var k) ? k.Name : null;
                    s = new AnomalySeries(new AnomalyScope(account, id.Item2, id.Item3, name, currency, level), daily, _rules, _mutes, _examinedFrom, _checkpoint);
                    _series.Add(id, s);
                }

                series.Add(s);
            }

            return [.. series];
        }

        /// <summary>Scores every series up to the as-of time; its reportable incidents, with whether this check examines them.</summary>
        public List<(AnomalySeries Series, AnomalyIncident Incident, bool Examined)> Finish(long asOf)
        {
            var found = new List<(AnomalySeries, AnomalyIncident, bool)>();
            foreach (var s in _series.Values)
            {
                s.Finish(asOf, _status);
                if (s.Daily && _hourlyAccounts.Contains(s.Scope.Account))
                    continue; // hourly buckets are finer: the daily ones are not reported
                foreach (var incident in s.Tracker.Reportable())
                    found.Add((s, incident, s.Examined(incident)));
            }

            return found;
        }

        private static double PriceOf(PriceCatalog catalog, string provider, string model, string currency, long at) =>
            ProviderKinds.TryParse(provider, out var kind) && Currencies.TryParse(currency, out var cur)
            && catalog.Find(kind, model, cur, DateTimeOffset.FromUnixTimeSeconds(at)) is { } price
                ? (double)price.InputPerMillion
                : double.NaN;
    }

    /// <summary>The series a key's rows are added to, and the model of its previous row (known to them all).</summary>
    private sealed class Route(AnomalySeries[] series)
    {
        public AnomalySeries[] Series { get; } = series;
        public string? LastModel { get; set; }
    }

    private async Task<Inventory> InventoryAsync(CancellationToken ct)
    {
        var keys = (await _inventory.KeysAsync(ct)).ToDictionary(k => (k.Account, k.KeyId));
        return new Inventory(keys, [.. keys.Keys.Select(k => k.Item1).Distinct(StringComparer.Ordinal)]);
    }

    private sealed record Inventory(Dictionary<(string Account, string KeyId), InventoryKey> Keys, HashSet<string> Accounts)
    {
        /// <summary>What the inventory says about activity of this key at this time: quiet, rotated, unknown, or nothing.</summary>
        public AnomalySignals StatusAt(AnomalyScope scope, long at, long lastActive, AnomalyRules rules)
        {
            if (scope.KeyId.Length == 0 || !Accounts.Contains(scope.Account))
                return AnomalySignals.None;
            if (!Keys.TryGetValue((scope.Account, scope.KeyId), out var key))
                return AnomalySignals.UnknownKey;
            var quiet = (key.Status == "deleted" && at >= key.LastSeenAt)
                || (key.Status is "expired" or "disabled" or "archived" && key.ExpiresAt is { } e && at >= e)
                || (key.ExpiresAt is { } expires && at >= expires)
                || (lastActive != long.MinValue && at - lastActive >= rules.QuietDays * 86_400L);
            if (quiet)
                return AnomalySignals.QuietKey;
            var rotated = lastActive != long.MinValue && at - lastActive >= rules.RotatedQuietDays * 86_400L
                && Keys.Values.Any(k => k.Account == key.Account && k.Workspace == key.Workspace && k.KeyId != key.KeyId
                    && k.Status == "active" && k.CreatedAt > key.CreatedAt && k.CreatedAt <= lastActive + rules.RotatedQuietDays * 86_400L);
            return rotated ? AnomalySignals.RotatedKey : AnomalySignals.None;
        }
    }
}
