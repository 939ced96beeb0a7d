namespace Monitor.Core.Anomalies;

/// <summary>
/// An online, robust, seasonal anomaly detector for one series: every point is scored once, from the past only, in
/// O(1) and without allocating (after the warm-up). Values are compressed with <c>asinh(x / c)</c> (log-like for
/// large values, linear near zero, defined for zero and negatives), so deviations read as ratios.
/// <list type="bullet">
/// <item>Baseline: a level plus a seasonal offset per slot (hour of week, day of week, time of day), updated with
/// residuals clipped at two robust standard deviations and weighted by (1 - score): a past incident barely moves it.</item>
/// <item>Levels: a fast one (half-life about a day) for spikes, so a launch that lifts the level for good is absorbed;
/// a slow one (about two weeks). A ramp is the total of the last <see cref="DetectorSettings.RampWindow"/> steps (a day
/// of hours) reaching <see cref="DetectorSettings.RampRatio"/> times what the slow level expects for the same slots:
/// a sum of real values is steady where single hours are noisy, and a ratio of money is not blurred by the
/// compression, which flattens quiet hours.</item>
/// <item>A CUSUM on the clipped robust z catches a sustained moderate excess that no single point shows.</item>
/// <item>A level that stays anomalous for <see cref="DetectorSettings.AcceptAfter"/> steps is accepted as the new normal,
/// provisionally: the levels before it are kept for a week of steps, and when the series comes back below halfway to
/// them for a few steps (the incident ended, it was no launch) they are restored, so a second incident still stands
/// out against the old normal instead of against the incident's level.</item>
/// <item>The scale only learns from points that are not far off in either direction: a silent day after a busy
/// one (a key that stopped) does not widen it until nothing stands out any more. Nor from silent steps expected
/// silent: a nightly job's empty days would shrink it until its ordinary noise read as spikes.</item>
/// <item>Within a day a step is also held against its neighbouring slots, so a job an hour late is no spike.</item>
/// </list>
/// The score is the largest of three logistic curves (spike z, CUSUM, ramp ratio), so 0.5 sits on each threshold.
/// </summary>
public sealed class SeriesDetector
{
    private const double Clip = 2.0;
    private const double ScaleClip = 3.0;
    private const double ZCap = 6.0;
    private const double SilentBelow = 0.05;
    private const double ActivityRate = 0.1;
    private const double SigmaFloor = 0.03;

    private readonly DetectorSettings _s;
    private readonly double[] _season;
    private readonly double[] _activity;
    private readonly double[] _warmValues;
    private readonly long[] _warmSteps;
    private readonly double _alphaFast;
    private readonly double _alphaSlow;
    private readonly double _gamma;
    private readonly double _lambda;
    private readonly double _rampLog;
    private int _warmCount;
    private double _c = 1;
    private double _fast;
    private double _slow;
    private double _rampBias;
    private readonly double _alphaBias;
    private double _sigma = SigmaFloor;
    private double _cusumUp;
    private int _runUp;
    private double _runLevel;
    private readonly int _returnAfter;
    private readonly int _forgetAfter;
    // The levels before a provisionally accepted shift (NaN when none), halfway to the accepted level, and the counts.
    private double _preFast = double.NaN;
    private double _preSlow;
    private double _preSigma;
    private double _preMid;
    private int _sinceAccept;
    private int _returnRun;
    // The ramp window: the last steps' values and the cosh and sinh of their seasonal offsets (the slow level's
    // expectation for them, in any level), with running sums.
    private readonly double[] _windowObserved;
    private readonly double[] _windowCosh;
    private readonly double[] _windowSinh;
    private int _windowCount;
    private double _windowSum;
    private double _windowCoshSum;
    private double _windowSinhSum;

    public SeriesDetector(DetectorSettings settings)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Period, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.WarmUp, 2);
        _s = settings;
        _season = new double[settings.Period];
        _activity = new double[Math.Max(settings.StepsPerDay, 1)];
        _warmValues = new double[settings.WarmUp];
        _warmSteps = new long[settings.WarmUp];
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.RampWindow, 1);
        _windowObserved = new double[settings.RampWindow];
        _windowCosh = new double[settings.RampWindow];
        _windowSinh = new double[settings.RampWindow];
        _alphaFast = HalfLifeRate(settings.FastHalfLife);
        _alphaSlow = HalfLifeRate(settings.SlowHalfLife);
        _alphaBias = HalfLifeRate(Math.Max(1, settings.SlowHalfLife / 2));
        // A slot is seen once per period: learn it faster when the period is long.
        _gamma = settings.Period >= 24 ? 0.2 : settings.Period > 1 ? 0.1 : 0;
        _lambda = Math.Min(0.1, 2 * _alphaFast);
        _rampLog = Math.Log(settings.RampRatio);
        _returnAfter = Math.Max(2, settings.AcceptAfter / 4);
        _forgetAfter = settings.AcceptAfter * 7;
    }

    public DetectorSettings Settings => _s;

    public bool IsWarm => _warmCount >= _s.WarmUp;

    /// <summary>
    /// Scores the value of step <paramref name="step"/> (time divided by the step: it picks the seasonal slot), then
    /// learns it unless <paramref name="learn"/> is false (planned activity stays out of the baseline).
    /// </summary>
    public DetectorPoint Next(long step, double value, bool learn = true)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
            value = 0;
        if (_warmCount < _s.WarmUp && !learn)
            return new DetectorPoint(0, value, value, 0, AnomalySignals.None, false);
        if (_warmCount < _s.WarmUp)
        {
            _warmValues[_warmCount] = value;
            _warmSteps[_warmCount] = step;
            if (++_warmCount == _s.WarmUp)
                Initialise();
            return new DetectorPoint(0, value, value, 0, AnomalySignals.None, false);
        }

        var slot = Slot(step, _s.Period);
        var y = Math.Asinh(value / _c);
        var season = _season[slot];
        // Within a day, a step is also compared with its neighbours' usual: a job that runs an hour later (a clock
        // change, a slow queue) is neither a spike where it now runs nor a drop where it used to.
        var (before, after) = _s.StepsPerDay >= 24 ? (_season[Slot(step - 1, _s.Period)], _season[Slot(step + 1, _s.Period)]) : (season, season);
        var high = Math.Max(_fast, _slow) + Math.Max(season, Math.Max(before, after));
        var low = Math.Min(_fast, _slow) + Math.Min(season, Math.Min(before, after));
        var zUp = (y - high) / _sigma;
        var zDown = (low - y) / _sigma;

        // Capped at twice the decision level: a burst is forgotten within a few steps of its end, not scored for hours.
        _cusumUp = Math.Clamp(_cusumUp + Math.Min(zUp, ZCap) - _s.CusumAllowance, 0, 2 * _s.CusumLevel);
        var spike = Logistic(zUp - _s.SpikeZ);
        var shift = Logistic((_cusumUp - _s.CusumLevel) * 4 / _s.CusumLevel);
        // Muted planned activity and spikes enter the window as expected: the ramp is growth below the spike threshold,
        // and must not fire for a day after a burst or a mute ends.
        var rampRatio = PushWindow(learn && spike < 0.5 ? value : _c * Math.Sinh(_slow + season), season);
        // The log of the ratio, less its usual value: a slow level lags steady growth by a few percent.
        var growth = rampRatio > 0 ? Math.Log(rampRatio) - _rampBias : double.NaN;
        var ramp = growth > 0 ? Logistic((growth - _rampLog) * 4 / _rampLog) : 0;
        var signals = AnomalySignals.None;
        if (spike >= 0.5) signals |= AnomalySignals.Spike;
        if (shift >= 0.5) signals |= AnomalySignals.Shift;
        if (ramp >= 0.5) signals |= AnomalySignals.Ramp;
        var up = Math.Max(spike, shift);
        // Drops are not scored (spend alerts look up), but a point far below does not teach the scale either.
        var farBelow = Logistic(zDown - _s.SpikeZ);

        if (_s.StepsPerDay > 1 && learn)
        {
            var hour = Slot(step, _s.StepsPerDay);
            var active = value != 0 ? 1.0 : 0.0;
            if (active > 0 && _activity[hour] < SilentBelow)
                signals |= AnomalySignals.UnusualHour;
            _activity[hour] += ActivityRate * (active - _activity[hour]);
        }

        var score = Math.Max(up, ramp);
        var baselineLevel = _slow;
        if (learn)
            Learn(y, slot, season, 1 - up, 1 - Math.Max(up, farBelow), up >= 0.5, growth);
        return new DetectorPoint(score, _c * Math.Sinh(high), _c * Math.Sinh(baselineLevel + season), zUp, signals, true);
    }

    private void Learn(double y, int slot, double season, double weight, double scaleWeight, bool anomalousUp, double growth)
    {
        var residual = y - _fast - season;
        var clip = Clip * _sigma;
        var psi = Math.Clamp(residual, -clip, clip);
        if (Math.Abs(growth) < _rampLog / 2)
            _rampBias += _alphaBias * growth;
        _fast += _alphaFast * weight * psi;
        _slow += _alphaSlow * weight * Math.Clamp(y - _slow - season, -clip, clip);
        _season[slot] += _gamma * weight * psi;
        // Silent steps that were expected silent say nothing about the noise of active ones: a key busy 5 hours a
        // day would otherwise get a scale so small that its ordinary variation reads as spikes.
        var lambda = y == 0 && _c * Math.Sinh(_fast + season) < 0.05 * _c ? 0 : _lambda * scaleWeight;
        _sigma = Math.Max(SigmaFloor, (1 - lambda) * _sigma + lambda * 1.25 * Math.Min(Math.Abs(residual), ScaleClip * _sigma));

        if (!double.IsNaN(_preFast) && Returned(y - season))
            return;

        // A level that stays anomalous for long enough is the new normal (a launch, a new tenant, a migration).
        _runUp = anomalousUp ? _runUp + 1 : 0;
        _runLevel = _runUp <= 1 ? y - season : _runLevel + (y - season - _runLevel) / Math.Min(_runUp, 8);
        if (_runUp >= _s.AcceptAfter)
        {
            // Only a real rise is remembered (a CUSUM's tail after a burst is accepted at about the old level).
            if (double.IsNaN(_preFast) && _runLevel - Math.Max(_fast, _slow) > Clip * _sigma)
            {
                (_preFast, _preSlow, _preSigma) = (_fast, _slow, _sigma);
                _preMid = (Math.Max(_fast, _slow) + _runLevel) / 2;
            }

            _sinceAccept = _returnRun = 0;
            // A shift smaller than a ramp's threshold may be a ramp's first days: the ramp keeps its reference (and
            // its window). A larger one is a new level for the ramp too; the window then holds the old level: refill it.
            if (Math.Abs(_runLevel - _slow) >= _rampLog)
            {
                _slow = _runLevel;
                ClearWindow();
            }

            _fast = _runLevel;
            _cusumUp = 0;
            _runUp = 0;
        }
        else if (!anomalousUp && growth > 2 * _rampLog && _fast - _slow > _rampLog)
        {
            // A ramp past twice its own threshold has been reported; measure further growth from here. Only when the
            // fast level has moved too: a window lifted by a burst that has just ended is no new level.
            RebaseSlow();
        }
    }

    /// <summary>
    /// Adds a step to the ramp window; returns the window's observed total over the total the slow level expects for
    /// the same slots, or 0 while the window fills or where a ratio means nothing (no positive expectation). The
    /// expectation c·sinh(slow + s) sums as c·(sinh(slow)·Σcosh(s) + cosh(slow)·Σsinh(s)): O(1) per step.
    /// </summary>
    private double PushWindow(double value, double season)
    {
        var n = _windowObserved.Length;
        var at = _windowCount % n;
        if (_windowCount >= n)
        {
            _windowSum -= _windowObserved[at];
            _windowCoshSum -= _windowCosh[at];
            _windowSinhSum -= _windowSinh[at];
        }

        var e = Math.Exp(season); // one exponential for both
        _windowObserved[at] = value;
        _windowCosh[at] = (e + 1 / e) / 2;
        _windowSinh[at] = (e - 1 / e) / 2;
        _windowSum += value;
        _windowCoshSum += _windowCosh[at];
        _windowSinhSum += _windowSinh[at];
        _windowCount = _windowCount >= 2 * n - 1 ? n : _windowCount + 1;
        if (at == n - 1)
            SumWindow(); // once per window: no drift from adding and subtracting
        if (_windowCount < n || _windowSum <= 0)
            return 0;
        var expected = ExpectedTotal(_slow);
        return expected > 0 ? _windowSum / expected : 0;
    }

    private void ClearWindow()
    {
        _windowCount = 0;
        SumWindow();
    }

    private double ExpectedTotal(double level) => _c * (Math.Sinh(level) * _windowCoshSum + Math.Cosh(level) * _windowSinhSum);

    private void SumWindow()
    {
        _windowSum = _windowCoshSum = _windowSinhSum = 0;
        for (var i = 0; i < Math.Min(_windowCount, _windowObserved.Length); i++)
        {
            _windowSum += _windowObserved[i];
            _windowCoshSum += _windowCosh[i];
            _windowSinhSum += _windowSinh[i];
        }
    }

    /// <summary>Moves the slow level to where it expects the window's observed total, as usual (Newton's method).</summary>
    private void RebaseSlow()
    {
        var level = _slow;
        var target = _windowSum / Math.Exp(_rampBias);
        for (var i = 0; i < 20; i++)
        {
            var f = ExpectedTotal(level) - target;
            var slope = _c * (Math.Cosh(level) * _windowCoshSum + Math.Sinh(level) * _windowSinhSum);
            if (!(slope > 0))
                return;
            var by = f / slope;
            level -= by;
            if (Math.Abs(by) < 1e-9)
                break;
        }

        if (double.IsFinite(level))
            _slow = level;
    }

    /// <summary>
    /// After a provisionally accepted rise: whether the series has come back towards the levels before it for
    /// long enough (the levels are then restored), or has held the new level so long that they are forgotten.
    /// </summary>
    private bool Returned(double level)
    {
        _returnRun = level < _preMid ? _returnRun + 1 : 0;
        if (_returnRun >= _returnAfter)
        {
            (_fast, _slow, _sigma) = (_preFast, _preSlow, _preSigma);
            _cusumUp = 0;
            _runUp = 0;
            _preFast = double.NaN;
            ClearWindow(); // the window holds the incident that just ended, no ramp
            return true;
        }

        if (++_sinceAccept >= _forgetAfter)
            _preFast = double.NaN;
        return false;
    }

    private void Initialise()
    {
        var n = _s.WarmUp;
        var values = _warmValues;
        double meanAbs = 0;
        for (var i = 0; i < n; i++)
            meanAbs += Math.Abs(values[i]);
        meanAbs /= n;
        _c = meanAbs > 0 ? meanAbs / 4 : 1;

        var ys = new double[n];
        for (var i = 0; i < n; i++)
            ys[i] = Math.Asinh(values[i] / _c);
        var level = Median([.. ys]);

        var counts = new int[_s.Period];
        for (var i = 0; i < n; i++)
        {
            var slot = Slot(_warmSteps[i], _s.Period);
            _season[slot] += ys[i] - level;
            counts[slot]++;
        }

        for (var slot = 0; slot < _season.Length; slot++)
            _season[slot] = counts[slot] > 0 ? _season[slot] / counts[slot] : 0;
        if (_s.Period > 1 && _s.Period < n)
        {
            // Centre the offsets: the level carries the mean.
            var mean = _season.Average();
            for (var slot = 0; slot < _season.Length; slot++)
                _season[slot] -= mean;
            level += mean;
        }

        _fast = _slow = level;

        // Scale: the spread of the residuals where slots repeat, else of step-to-step changes.
        var spread = new double[n];
        var m = 0;
        for (var i = 0; i < n; i++)
        {
            var r = ys[i] - level - _season[Slot(_warmSteps[i], _s.Period)];
            if (_s.Period < n / 2 || _s.Period == 1)
                spread[m++] = Math.Abs(r);
            else if (i > 0)
                spread[m++] = Math.Abs(ys[i] - ys[i - 1]) / Math.Sqrt(2);
        }

        var mad = Median(spread.AsSpan(0, m).ToArray());
        _sigma = Math.Max(SigmaFloor, 1.4826 * mad);

        if (_s.StepsPerDay > 1)
        {
            var visits = new int[_s.StepsPerDay];
            for (var i = 0; i < n; i++)
            {
                var hour = Slot(_warmSteps[i], _s.StepsPerDay);
                visits[hour]++;
                _activity[hour] += values[i] != 0 ? 1 : 0;
            }

            for (var hour = 0; hour < _activity.Length; hour++)
                _activity[hour] = visits[hour] > 0 ? _activity[hour] / visits[hour] : 1;
        }
    }

    /// <summary>Writes everything the detector has learned, so a later check can continue where this one stopped.</summary>
    public void Save(BinaryWriter w)
    {
        w.Write(_warmCount);
        if (_warmCount < _s.WarmUp)
        {
            for (var i = 0; i < _warmCount; i++)
            {
                w.Write(_warmValues[i]);
                w.Write(_warmSteps[i]);
            }

            return;
        }

        w.Write(_c);
        w.Write(_fast);
        w.Write(_slow);
        w.Write(_rampBias);
        w.Write(_sigma);
        w.Write(_cusumUp);
        w.Write(_runUp);
        w.Write(_runLevel);
        w.Write(_preFast);
        w.Write(_preSlow);
        w.Write(_preSigma);
        w.Write(_preMid);
        w.Write(_sinceAccept);
        w.Write(_returnRun);
        foreach (var v in _season)
            w.Write(v);
        foreach (var v in _activity)
            w.Write(v);
        w.Write(_windowCount);
        w.Write(_windowSum);
        w.Write(_windowCoshSum);
        w.Write(_windowSinhSum);
        for (var i = 0; i < _windowObserved.Length; i++)
        {
            w.Write(_windowObserved[i]);
            w.Write(_windowCosh[i]);
            w.Write(_windowSinh[i]);
        }
    }

    /// <summary>Reads what <see cref="Save"/> wrote into a fresh detector built with the same settings.</summary>
    public void Restore(BinaryReader r)
    {
        _warmCount = r.ReadInt32();
        if (_warmCount < _s.WarmUp)
        {
            for (var i = 0; i < _warmCount; i++)
            {
                _warmValues[i] = r.ReadDouble();
                _warmSteps[i] = r.ReadInt64();
            }

            return;
        }

        _c = r.ReadDouble();
        _fast = r.ReadDouble();
        _slow = r.ReadDouble();
        _rampBias = r.ReadDouble();
        _sigma = r.ReadDouble();
        _cusumUp = r.ReadDouble();
        _runUp = r.ReadInt32();
        _runLevel = r.ReadDouble();
        _preFast = r.ReadDouble();
        _preSlow = r.ReadDouble();
        _preSigma = r.ReadDouble();
        _preMid = r.ReadDouble();
        _sinceAccept = r.ReadInt32();
        _returnRun = r.ReadInt32();
        for (var i = 0; i < _season.Length; i++)
            _season[i] = r.ReadDouble();
        for (var i = 0; i < _activity.Length; i++)
            _activity[i] = r.ReadDouble();
        _windowCount = r.ReadInt32();
        _windowSum = r.ReadDouble();
        _windowCoshSum = r.ReadDouble();
        _windowSinhSum = r.ReadDouble();
        for (var i = 0; i < _windowObserved.Length; i++)
        {
            _windowObserved[i] = r.ReadDouble();
            _windowCosh[i] = r.ReadDouble();
            _windowSinh[i] = r.ReadDouble();
        }
    }

    private static int Slot(long step, int period)
    {
        var slot = step % period;
        return (int)(slot < 0 ? slot + period : slot);
    }

    private static double HalfLifeRate(int halfLife) => 1 - Math.Pow(0.5, 1.0 / Math.Max(1, halfLife));

    private static double Logistic(double x) => 1 / (1 + Math.Exp(-x));

    private static double Median(double[] values)
    {
        if (values.Length == 0)
            return 0;
        Array.Sort(values);
        var mid = values.Length / 2;
        return values.Length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }
}
