using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Options;
using Monitor.Core.Alerts;
using Monitor.Core.Anomalies;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Checks;

/// <summary>
/// Anomalies per key: reads the ledger up to the check's as-of time in one streaming query ordered by account and
/// time (the primary key's order: no sort), sums each key's hour (or day, for accounts without hourly buckets) over
/// its models, scores every step with a <see cref="KeyWatch"/> (zero steps included), adds what the key inventory says
/// (quiet, rotated or unknown keys), and returns one decision per reportable incident that touches a step examined by
/// this check: a step after the previous check, or one written since then (a backfill or import of an old window).
/// Muted (planned) stretches are scored without being learned, so they stay out of the baselines.
/// </summary>
public sealed class AnomalyEvaluator(Database database, AlertRepository alerts, PriceCatalog catalog, IOptions<MonitorOptions> options) : IAlertEvaluator
{
    private const int ChartSteps = 7 * 24;

    public string Name => "anomalies";

    public async Task<IReadOnlyList<AlertDecision>> EvaluateAsync(CheckContext context, CancellationToken ct)
    {
        var o = options.Value.Anomalies;
        if (!o.Enabled)
            return [];
        var rules = o.ToRules();
        var asOf = context.AsOf.ToUnixTimeSeconds();
        var examinedFrom = (context.PreviousAsOf ?? context.AsOf - o.InitialLookBack).ToUnixTimeSeconds();
        var writtenAfter = context.PreviousAsOf?.ToUnixTimeSeconds();
        var mutes = await alerts.MutesAsync(DateTimeOffset.UnixEpoch, context.AsOf, ct);

        await using var c = await database.OpenAsync(ct);
        var inventory = await InventoryAsync(c, ct);
        var series = new Dictionary<(string Account, string Workspace, string KeyId, bool Daily), Series>();
        var hourlyAccounts = new HashSet<string>(StringComparer.Ordinal);
        await using (var reader = await c.ExecuteReaderAsync(new CommandDefinition(
            """
            SELECT account, workspace, key_id, model, bucket_start, bucket_width, provider, currency, cost_micros,
                   input_tokens + cached_input_tokens + cache_write_tokens + output_tokens, requests, ingested_at
            FROM usage_records
            WHERE bucket_start < @asOf AND bucket_width IN ('1h', '1m', '1d')
            ORDER BY account, bucket_start
            """,
            new { asOf }, cancellationToken: ct)))
        {
            while (await reader.ReadAsync(ct))
            {
                var account = reader.GetString(0);
                var daily = reader.GetString(5) == "1d";
                if (!daily)
                    hourlyAccounts.Add(account);
                var key = (account, reader.GetString(1), reader.GetString(2), daily);
                if (!series.TryGetValue(key, out var s))
                {
                    var name = inventory.Keys.TryGetValue((account, key.Item3), out var k) ? k.Name : null;
                    s = new Series(new AnomalyScope(account, key.Item2, key.Item3, name, reader.GetString(7)), daily, rules, mutes);
                    series.Add(key, s);
                }

                var start = reader.GetInt64(4);
                s.Advance(start / s.StepSeconds, asOf, inventory, rules, examinedFrom);
                var model = reader.GetString(3);
                if (!s.Watch.KnowsModel(model))
                    s.Watch.UseModel(model, PriceOf(reader.GetString(6), model, s.Scope.Currency, start));
                s.Add(reader.IsDBNull(8) ? 0 : reader.GetInt64(8) / 1e6, reader.GetInt64(9), reader.GetInt64(10));
                if (writtenAfter is { } after && reader.GetInt64(11) > after)
                    s.Touch(start / s.StepSeconds);
            }
        }

        var decisions = new List<AlertDecision>();
        foreach (var s in series.Values)
        {
            if (s.Daily && hourlyAccounts.Contains(s.Scope.Account))
                continue; // hourly buckets are finer: the daily ones are not scored
            s.Finish(asOf, inventory, rules, examinedFrom);
            foreach (var incident in s.Tracker.Reportable().Where(s.Examined))
            {
                var top = await TopModelsAsync(c, s, incident, ct);
                decisions.Add(AnomalyAlert.Compose(s.Scope, incident, TimeSpan.FromSeconds(s.StepSeconds), s.Recent, top));
            }
        }

        return decisions;
    }

    private double PriceOf(string provider, string model, string currency, long at) =>
        ProviderKinds.TryParse(provider, out var kind) && Currencies.TryParse(currency, out var cur)
        && catalog.Find(kind, model, cur, DateTimeOffset.FromUnixTimeSeconds(at)) is { } price
            ? (double)price.InputPerMillion
            : double.NaN;

    private static async Task<IReadOnlyList<(string Model, decimal Cost)>> TopModelsAsync(DbConnection c, Series s, AnomalyIncident incident, CancellationToken ct)
    {
        var rows = await c.QueryAsync<(string Model, long Micros)>(new CommandDefinition(
            """
            SELECT model, SUM(COALESCE(cost_micros, 0)) FROM usage_records
            WHERE account = @Account AND workspace = @Workspace AND key_id = @KeyId AND bucket_start >= @from AND bucket_start <= @to
              AND bucket_width = @width
            GROUP BY model ORDER BY 2 DESC, model LIMIT 3
            """,
            new
            {
                s.Scope.Account, s.Scope.Workspace, s.Scope.KeyId, from = incident.Start * s.StepSeconds, to = incident.End * s.StepSeconds,
                width = s.Daily ? "1d" : "1h",
            },
            cancellationToken: ct));
        return [.. rows.Select(r => (r.Model, MoneyUnits.FromMicros(r.Micros)))];
    }

    private static async Task<Inventory> InventoryAsync(DbConnection c, CancellationToken ct)
    {
        var rows = await c.QueryAsync<InventoryKey>(new CommandDefinition(
            """
            SELECT account AS Account, key_id AS KeyId, name AS Name, workspace AS Workspace, status AS Status,
                   created_at AS CreatedAt, expires_at AS ExpiresAt, last_seen_at AS LastSeenAt
            FROM api_keys WHERE kind <> 'admin'
            """,
            cancellationToken: ct));
        var keys = rows.ToDictionary(k => (k.Account, k.KeyId));
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

    private sealed class InventoryKey
    {
        public string Account { get; init; } = "";
        public string KeyId { get; init; } = "";
        public string? Name { get; init; }
        public string Workspace { get; init; } = "";
        public string Status { get; init; } = "";
        public long? CreatedAt { get; init; }
        public long? ExpiresAt { get; init; }
        public long LastSeenAt { get; init; }
    }

    /// <summary>One key's series while the ledger streams by: the step being summed, the watch, the tracker, recent steps.</summary>
    private sealed class Series(AnomalyScope scope, bool daily, AnomalyRules rules, IReadOnlyList<AlertMute> mutes)
    {
        private readonly AlertMute[] _mutes = [.. mutes.Where(m => m.Kind is null or AlertKind.Anomaly && m.CoversScope(scope.Account, scope.Workspace, scope.KeyId, null))];
        private long _step = long.MinValue;
        private double _cost;
        private double _tokens;
        private double _requests;
        private long _lastActive = long.MinValue;
        private long _touchedFrom = long.MaxValue;
        private long _touchedTo = long.MinValue;
        private long _examinedFromStep = long.MaxValue;

        public AnomalyScope Scope { get; } = scope;
        public bool Daily { get; } = daily;
        public long StepSeconds { get; } = daily ? 86_400 : 3_600;
        public KeyWatch Watch { get; } = new(DetectorSettings.ForStep(TimeSpan.FromSeconds(daily ? 86_400 : 3_600)), rules);
        public IncidentTracker Tracker { get; } = new(rules);
        public List<KeyHour> Recent { get; } = [];

        public void Add(double cost, double tokens, double requests)
        {
            _cost += cost;
            _tokens += tokens;
            _requests += requests;
        }

        public void Touch(long step)
        {
            _touchedFrom = Math.Min(_touchedFrom, step);
            _touchedTo = Math.Max(_touchedTo, step);
        }

        /// <summary>Moves to <paramref name="step"/>: scores the step being summed and the empty steps up to this one.</summary>
        public void Advance(long step, long asOf, Inventory inventory, AnomalyRules rules, long examinedFrom)
        {
            if (step == _step)
                return;
            _examinedFromStep = examinedFrom / StepSeconds;
            if (_step != long.MinValue)
            {
                Score(_step, inventory, rules);
                for (var s = _step + 1; s < step; s++)
                    Score(s, inventory, rules);
            }

            _step = step;
        }

        public void Finish(long asOf, Inventory inventory, AnomalyRules rules, long examinedFrom)
        {
            // The last step counts once it is complete; empty steps up to the as-of time count as zeros.
            Advance((asOf + StepSeconds - 1) / StepSeconds, asOf, inventory, rules, examinedFrom);
            _step = long.MinValue;
        }

        public bool Examined(AnomalyIncident incident) =>
            incident.End >= _examinedFromStep || (incident.End >= _touchedFrom && incident.Start <= _touchedTo);

        private void Score(long step, Inventory inventory, AnomalyRules rules)
        {
            var at = step * StepSeconds;
            var active = _cost > 0 || _requests > 0;
            var status = active ? inventory.StatusAt(Scope, at, _lastActive, rules) : AnomalySignals.None;
            var muted = _mutes.Any(m => at >= m.From.ToUnixTimeSeconds() && at < m.Until.ToUnixTimeSeconds());
            var hour = Watch.Observe(step, _cost, _tokens, _requests, status, learn: !muted);
            _cost = _tokens = _requests = 0;
            if (!muted)
                Tracker.Add(hour);
            if (active)
                _lastActive = at;
            // Only the last week before the examined steps is kept, for the charts.
            if (step < Math.Min(_examinedFromStep, _touchedFrom) - ChartSteps)
                return;
            if (Recent.Count >= 2 * ChartSteps && step > _touchedTo)
                Recent.RemoveRange(0, ChartSteps);
            Recent.Add(hour);
        }
    }
}
