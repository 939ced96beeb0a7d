using Monitor.Core.Alerts;
using Monitor.Core.Anomalies;

namespace Monitor.Checks;

/// <summary>
/// One watched series while the ledger streams by (a key, a workspace's keys, an account): the step being summed,
/// the watch, the tracker and the recent steps for the chart. It can be saved as it stood before the checkpoint and
/// restored by the next check, which then scores only the steps from the checkpoint on.
/// </summary>
internal sealed class AnomalySeries
{
    private const int ChartSteps = 7 * 24;

    /// <summary>The saved state's layout: bump it whenever a detector's saved fields change (states are then rebuilt).</summary>
    public const int Format = 6;

    private readonly AlertMute[] _mutes;
    private readonly long _snapshotStep;
    private readonly HashSet<string> _members = new(StringComparer.Ordinal);
    private long _step = long.MinValue;
    private long _next = long.MinValue;
    private long _firstScored = long.MaxValue;
    private double _cost;
    private double _tokens;
    private double _requests;
    private long _lastActive = long.MinValue;
    private long _touchedFrom = long.MaxValue;
    private long _touchedTo = long.MinValue;
    private readonly long _examinedFromStep;

    public AnomalySeries(AnomalyScope scope, bool daily, AnomalyRules rules, IReadOnlyList<AlertMute> mutes, long examinedFrom, long checkpoint)
    {
        Scope = scope;
        Daily = daily;
        StepSeconds = daily ? 86_400 : 3_600;
        Watch = new KeyWatch(DetectorSettings.ForStep(TimeSpan.FromSeconds(StepSeconds)), rules);
        Tracker = new IncidentTracker(rules, 86_400.0 / StepSeconds);
        _mutes = [.. mutes.Where(m => m.Kind is null or AlertKind.Anomaly && Covers(m, scope))];
        _examinedFromStep = examinedFrom / StepSeconds;
        _snapshotStep = checkpoint / StepSeconds;
    }

    public AnomalyScope Scope { get; }
    public bool Daily { get; }
    public long StepSeconds { get; }
    public KeyWatch Watch { get; }
    public IncidentTracker Tracker { get; }
    public List<KeyHour> Recent { get; } = [];

    /// <summary>The state as it stood before the checkpoint, once scoring has passed it (else null).</summary>
    public byte[]? Snapshot { get; private set; }

    /// <summary>Distinct keys summed (at most two are remembered: enough to tell a sum from a single key).</summary>
    public int Members => Scope.Level == AnomalyLevel.Key ? 1 : _members.Count;

    /// <summary>The state table's name of the series within its account.</summary>
    public static string Id(AnomalyScope scope, bool daily) => daily ? scope.SeriesId + "|d" : scope.SeriesId;

    public void AddMember(string member)
    {
        if (_members.Count < 2)
            _members.Add(member);
    }

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
    public void Advance(long step, Func<AnomalySeries, long, long, AnomalySignals> status)
    {
        if (step == _step)
            return;
        if (_step != long.MinValue)
        {
            Score(_step, status);
            _next = _step + 1;
        }

        if (_next != long.MinValue)
        {
            for (var s = _next; s < step; s++)
                Score(s, status);
        }

        _step = step;
    }

    /// <summary>Scores up to the as-of time (empty steps count as zeros) and fixes the snapshot.</summary>
    public void Finish(long asOf, Func<AnomalySeries, long, long, AnomalySignals> status)
    {
        // The last step counts once it is complete; empty steps up to the as-of time count as zeros.
        Advance((asOf + StepSeconds - 1) / StepSeconds, status);
        _step = long.MinValue;
        if (Snapshot is null && _firstScored >= _snapshotStep)
            Snapshot = new AnomalySeries(Scope, Daily, new AnomalyRules(), [], 0, 0).Save(long.MinValue);
    }

    public bool Examined(AnomalyIncident incident) =>
        incident.End >= _examinedFromStep || (incident.End >= _touchedFrom && incident.Start <= _touchedTo);

    private void Score(long step, Func<AnomalySeries, long, long, AnomalySignals> status)
    {
        var at = step * StepSeconds;
        var active = _cost > 0 || _requests > 0;
        var signals = active ? status(this, at, _lastActive) : AnomalySignals.None;
        var muted = _mutes.Any(m => at >= m.From.ToUnixTimeSeconds() && at < m.Until.ToUnixTimeSeconds());
        var hour = Watch.Observe(step, _cost, _tokens, _requests, signals, learn: !muted);
        _cost = _tokens = _requests = 0;
        _firstScored = Math.Min(_firstScored, step);
        if (!muted)
            Tracker.Add(hour);
        if (active)
            _lastActive = at;
        // Only the last week before the examined steps is kept, for the charts.
        if (step >= Math.Min(Math.Min(_examinedFromStep, _touchedFrom), _snapshotStep) - ChartSteps)
        {
            if (Recent.Count >= 2 * ChartSteps && step > _touchedTo)
                Recent.RemoveRange(0, ChartSteps);
            Recent.Add(hour);
        }

        if (step == _snapshotStep - 1)
            Snapshot = Save(_snapshotStep);
    }

    private byte[] Save(long next)
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer))
        {
            w.Write(Format);
            w.Write((byte)Scope.Level);
            w.Write(Daily);
            w.Write(Scope.Workspace);
            w.Write(Scope.KeyId);
            w.Write(Scope.Currency);
            w.Write(next);
            w.Write(_lastActive);
            w.Write(_members.Count);
            foreach (var m in _members)
                w.Write(m);
            Watch.Save(w);
            Tracker.Save(w);
            var recent = Recent.Count > ChartSteps ? Recent.GetRange(Recent.Count - ChartSteps, ChartSteps) : Recent;
            w.Write(recent.Count);
            foreach (var h in recent)
            {
                w.Write(h.Step);
                w.Write((float)h.Observed);
                w.Write((float)h.Baseline);
                w.Write(h.Flagged);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>A series from its saved state, or null when the state is of another format (the account is then rebuilt).</summary>
    public static AnomalySeries? Restore(
        string account, byte[] state, Func<string, string, string?> keyName, AnomalyRules rules, IReadOnlyList<AlertMute> mutes,
        long examinedFrom, long checkpoint)
    {
        using var r = new BinaryReader(new MemoryStream(state));
        if (r.ReadInt32() != Format)
            return null;
        var level = (AnomalyLevel)r.ReadByte();
        var daily = r.ReadBoolean();
        var workspace = r.ReadString();
        var keyId = r.ReadString();
        var currency = r.ReadString();
        var scope = new AnomalyScope(account, workspace, keyId, level == AnomalyLevel.Key ? keyName(account, keyId) : null, currency, level);
        var s = new AnomalySeries(scope, daily, rules, mutes, examinedFrom, checkpoint)
        {
            _next = r.ReadInt64(),
            _lastActive = r.ReadInt64(),
        };
        var members = r.ReadInt32();
        for (var i = 0; i < members; i++)
            s._members.Add(r.ReadString());
        s.Watch.Restore(r);
        s.Tracker.Restore(r);
        var recent = r.ReadInt32();
        for (var i = 0; i < recent; i++)
        {
            var step = r.ReadInt64();
            var observed = r.ReadSingle();
            var baseline = r.ReadSingle();
            var flagged = r.ReadBoolean();
            s.Recent.Add(new KeyHour(step, observed, baseline, 0, 0, AnomalySignals.None, flagged));
        }

        if (s._next != long.MinValue)
            s._firstScored = s._next - 1;
        return s;
    }

    // A key's series follows mutes of its scope; a workspace's or account's sum follows every mute inside it (a muted
    // key's planned activity must not alert through its workspace).
    private static bool Covers(AlertMute m, AnomalyScope scope) => scope.Level switch
    {
        AnomalyLevel.Key => m.CoversScope(scope.Account, scope.Workspace, scope.KeyId, null),
        AnomalyLevel.Workspace => m.Account is null || m.Account == scope.Account && (m.Workspace is null || m.Workspace == scope.Workspace),
        _ => m.Account is null || m.Account == scope.Account,
    };
}
