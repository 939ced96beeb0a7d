namespace Monitor.Core.Anomalies;

/// <summary>
/// Watches one key (or workspace, or account): a detector each for cost, tokens and requests, the models it has used,
/// and the relative guard. Tokens and requests matter where cost is missing (unpriced models) or lags.
/// </summary>
public sealed class KeyWatch
{
    private readonly SeriesDetector _cost;
    private readonly SeriesDetector _tokens;
    private readonly SeriesDetector _requests;
    private readonly AnomalyRules _rules;
    private readonly Dictionary<string, double> _models = new(StringComparer.Ordinal);
    private double _maxPrice;
    private AnomalySignals _pendingModelSignals;

    public KeyWatch(DetectorSettings settings, AnomalyRules rules)
    {
        _cost = new SeriesDetector(settings);
        _tokens = new SeriesDetector(settings);
        _requests = new SeriesDetector(settings);
        _rules = rules;
    }

    public bool IsWarm => _cost.IsWarm;

    /// <summary>
    /// Notes a model used in the coming step with its input price per million tokens (NaN when unknown). A model never
    /// used before, once the series is warm, is a signal; more expensive than every earlier one, a stronger one.
    /// </summary>
    public void UseModel(string model, double pricePerMillion)
    {
        if (_models.ContainsKey(model))
            return;
        _models[model] = pricePerMillion;
        if (IsWarm)
        {
            _pendingModelSignals |= AnomalySignals.NewModel;
            if (pricePerMillion > _maxPrice * 1.5)
                _pendingModelSignals |= AnomalySignals.ExpensiveModel;
        }

        if (!double.IsNaN(pricePerMillion))
            _maxPrice = Math.Max(_maxPrice, pricePerMillion);
    }

    public bool KnowsModel(string model) => _models.ContainsKey(model);

    /// <summary>Writes the three detectors and the models seen (between steps: nothing is pending then).</summary>
    public void Save(BinaryWriter w)
    {
        _cost.Save(w);
        _tokens.Save(w);
        _requests.Save(w);
        w.Write(_maxPrice);
        w.Write((int)_pendingModelSignals);
        w.Write(_models.Count);
        foreach (var (model, price) in _models)
        {
            w.Write(model);
            w.Write(price);
        }
    }

    /// <summary>Reads what <see cref="Save"/> wrote into a fresh watch built with the same settings.</summary>
    public void Restore(BinaryReader r)
    {
        _cost.Restore(r);
        _tokens.Restore(r);
        _requests.Restore(r);
        _maxPrice = r.ReadDouble();
        _pendingModelSignals = (AnomalySignals)r.ReadInt32();
        var models = r.ReadInt32();
        for (var i = 0; i < models; i++)
            _models[r.ReadString()] = r.ReadDouble();
    }

    /// <summary>
    /// Scores one step (call for every step, zeros included, in order). <paramref name="status"/> carries what the
    /// key inventory says about an active step (a quiet, rotated or unknown key): such a step is flagged whatever its
    /// size. A step with <paramref name="learn"/> false (muted planned activity) is scored but stays out of the baseline.
    /// </summary>
    public KeyHour Observe(long step, double cost, double tokens, double requests, AnomalySignals status = AnomalySignals.None, bool learn = true)
    {
        var c = _cost.Next(step, cost, learn);
        var t = _tokens.Next(step, tokens, learn);
        var r = _requests.Next(step, requests, learn);
        var signals = c.Signals | _pendingModelSignals | status;
        _pendingModelSignals = AnomalySignals.None;
        if (status != AnomalySignals.None && (cost > 0 || requests > 0))
            return new KeyHour(step, cost, c.Warm ? c.Expected : 0, Math.Max(0, cost - (c.Warm ? c.Expected : 0)), 0.9, signals, true);
        if (!c.Warm)
            return new KeyHour(step, cost, cost, 0, 0, AnomalySignals.None, false);
        // A key silent for a week or more was expected to stay silent: all of its spend is extra.
        if ((c.Signals & AnomalySignals.Dormant) != 0)
            return new KeyHour(step, cost, 0, cost, Math.Max(c.Score, 0.9), signals, true);

        var relative = 1 + _rules.MinImpactRelative;
        var ramp = (c.Signals & AnomalySignals.Ramp) != 0;
        var baseline = ramp ? c.Baseline : c.Expected;
        // A ramp's score already measures its level against the slow baseline; an hour only has to be above it.
        var costFlag = c.Score >= _rules.AlertScore && (ramp ? cost > c.Baseline : cost >= relative * c.Expected);
        var usageFlag = t.Score >= _rules.AlertScore && tokens >= relative * t.Expected
            && r.Score >= _rules.AlertScore && requests >= relative * r.Expected;
        var otherFlag = (signals & (AnomalySignals.NewModel | AnomalySignals.UnusualHour)) != 0 && cost > 0
            && cost >= relative * c.Expected;
        var score = Math.Max(c.Score, Math.Min(t.Score, r.Score));
        if ((signals & AnomalySignals.ExpensiveModel) != 0)
            score = Math.Max(score, 0.7);
        else if (otherFlag)
            score = Math.Max(score, 0.5);
        var flagged = costFlag || usageFlag || otherFlag;
        return new KeyHour(step, cost, baseline, flagged ? Math.Max(0, cost - baseline) : 0, score, signals, flagged);
    }
}
