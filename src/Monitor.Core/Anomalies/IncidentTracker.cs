namespace Monitor.Core.Anomalies;

/// <summary>
/// Merges a series' flagged steps into incidents (gaps up to <see cref="AnomalyRules.MergeGapSteps"/>) and marks an
/// incident reportable once its extra spend reaches <see cref="AnomalyRules.MinImpactAbsolute"/>, or once it has run
/// two flagged steps at a pace of at least <see cref="AnomalyRules.MinImpactPerDay"/> extra per day (a fast leak on a
/// small key alerts within hours, not when its total finally adds up), or at once for signals that need no minimum:
/// a quiet, rotated or unknown key. Unflagged steps allocate nothing. <paramref name="stepsPerDay"/>: 24 for hourly.
/// While every flagged step is a first quarter end's surge the incident is only noted (<see cref="AnomalyIncident.NotedAt"/>);
/// it becomes reportable at the first flagged step of another kind (the guards met).
/// </summary>
public sealed class IncidentTracker(AnomalyRules rules, double stepsPerDay = 24)
{
    private const AnomalySignals Unconditional = AnomalySignals.QuietKey | AnomalySignals.RotatedKey | AnomalySignals.UnknownKey;

    private readonly double _minExtra = (double)rules.MinImpactAbsolute;
    private readonly double _minPerDay = (double)rules.MinImpactPerDay;
    private AnomalyIncident? _open;

    /// <summary>Incidents closed so far, oldest first (only reportable ones).</summary>
    public List<AnomalyIncident> Closed { get; } = [];

    /// <summary>The incident still open at the last step, if any and reportable or not.</summary>
    public AnomalyIncident? Open => _open;

    public void Add(in KeyHour hour)
    {
        if (_open is { } open && hour.Step - open.End > rules.MergeGapSteps)
            Close();
        if (!hour.Flagged)
            return;

        var extra = (_open?.Extra ?? 0) + hour.Extra;
        var signals = (_open?.Signals ?? AnomalySignals.None) | hour.Signals;
        var peak = _open is null || hour.Observed > _open.PeakObserved;
        var alerting = (_open?.AlertingSteps ?? 0) + (FirstQuarterEnd(hour.Signals) ? 0 : 1);
        var next = new AnomalyIncident
        {
            Start = _open?.Start ?? hour.Step,
            End = hour.Step,
            Extra = extra,
            PeakScore = Math.Max(_open?.PeakScore ?? 0, hour.Score),
            Signals = signals,
            FlaggedSteps = (_open?.FlaggedSteps ?? 0) + 1,
            ReportableAt = _open?.ReportableAt,
            NotedAt = _open?.NotedAt,
            AlertingSteps = alerting,
            PeakObserved = peak ? hour.Observed : _open!.PeakObserved,
            PeakBaseline = peak ? hour.Baseline : _open!.PeakBaseline,
        };
        if (next.ReportableAt is null && (extra >= _minExtra || (next.FlaggedSteps >= 2 && next.ExtraPerDay(stepsPerDay) >= _minPerDay)
            || (signals & Unconditional) != 0))
            next = alerting > 0 ? next with { ReportableAt = hour.Step } : next with { NotedAt = next.NotedAt ?? hour.Step };
        _open = next;
    }

    // A step that is a first quarter end's surge and nothing else that alerts by itself.
    private static bool FirstQuarterEnd(AnomalySignals signals) =>
        (signals & AnomalySignals.FirstQuarterEnd) != 0
        && (signals & (Unconditional | AnomalySignals.NewModel | AnomalySignals.ExpensiveModel | AnomalySignals.Dormant | AnomalySignals.UnusualHour)) == 0;

    /// <summary>Every reportable incident (alerted or noted only), closed and open.</summary>
    public IEnumerable<AnomalyIncident> Reportable() =>
        _open is { ReportableAt: not null } or { NotedAt: not null } ? [.. Closed, _open] : Closed;

    /// <summary>Writes the open incident (closed ones have been reported by the check that closed them).</summary>
    public void Save(BinaryWriter w)
    {
        w.Write(_open is not null);
        if (_open is not { } o)
            return;
        w.Write(o.Start);
        w.Write(o.End);
        w.Write(o.Extra);
        w.Write(o.PeakScore);
        w.Write((int)o.Signals);
        w.Write(o.FlaggedSteps);
        w.Write(o.ReportableAt ?? long.MinValue);
        w.Write(o.NotedAt ?? long.MinValue);
        w.Write(o.AlertingSteps);
        w.Write(o.PeakObserved);
        w.Write(o.PeakBaseline);
    }

    /// <summary>Reads what <see cref="Save"/> wrote into a fresh tracker.</summary>
    public void Restore(BinaryReader r)
    {
        if (!r.ReadBoolean())
            return;
        _open = new AnomalyIncident
        {
            Start = r.ReadInt64(),
            End = r.ReadInt64(),
            Extra = r.ReadDouble(),
            PeakScore = r.ReadDouble(),
            Signals = (AnomalySignals)r.ReadInt32(),
            FlaggedSteps = r.ReadInt32(),
            ReportableAt = r.ReadInt64() is var at && at != long.MinValue ? at : null,
            NotedAt = r.ReadInt64() is var noted && noted != long.MinValue ? noted : null,
            AlertingSteps = r.ReadInt32(),
            PeakObserved = r.ReadDouble(),
            PeakBaseline = r.ReadDouble(),
        };
    }

    private void Close()
    {
        if (_open is { ReportableAt: not null } or { NotedAt: not null })
            Closed.Add(_open);
        _open = null;
    }
}
