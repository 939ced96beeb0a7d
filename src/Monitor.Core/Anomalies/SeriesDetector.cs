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
    private const double SilentBelow = 0.1;
    private const double RegularAbove = 0.3;
    private const double ActivityRate = 0.05;
    private const double IntermittentBelow = 0.25;
    private const double ActiveRate = 0.05;
    private const int ActiveMeanOver = 20;
    private const double SessionRate = 0.1;
    private const int SessionsMeanOver = 5;
    private const int DormantDays = 7;
    private const double DormantGaps = 6;
    private const double SessionsLong = 3;
    private const double SigmaFloor = 0.03;
    private const double ProfileRate = 0.3;
    private const double InitialRampSpread = 0.1;
    private const double RampSpreads = 5;
    private const double RephaseOff = 2 * 0.6931471805599453;
    private const double RephaseCap = 2;
    private const double RephaseMinMisfit = 2 * RephaseCap * RephaseCap;
    private const double RephaseFit = 0.35;
    private const double MoveTolerance = 0.25;
    private const int MoveRunMax = 12;
    // A first quarter end's surge is noted, not alerted, up to this many times the key's recent peak.
    private static readonly double QuarterEndBound = Math.Log(QuarterEndPeaks);
    public const double QuarterEndPeaks = 6;
    private static readonly double Ln2 = Math.Log(2);
    private static readonly double OffDay = Ln2;

    private readonly DetectorSettings _s;
    private readonly RecurrenceMemory? _memory;
    private readonly double[] _season;
    private readonly double[] _activity;
    private double _busiestHour;
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
    // How often the series is active (above zero), and the usual level and spread of its active steps: an
    // intermittent series (a developer's key used now and then) is judged against its own sessions, not its zeros.
    private readonly double _alphaActive;
    private double _activeShare = 1;
    private double _activeLevel;
    private double _activeSpread = SigmaFloor;
    private int _activeSeen;
    // An intermittent series' current run of active steps and its usual session length: sessions of any usual size
    // are its normal, running for many times as long as one is not.
    private int _activeRun;
    private double _sessionLength = 1;
    // Steps since the last active one, and the usual gap between sessions: a key silent for many times its usual
    // gap that wakes up is judged as any key, not as one used now and then.
    private int _silentRun;
    private double _sessionGap = 1;
    private bool _waking;
    private int _gapsSeen;
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
    // The ramp's reference: the usual value of each slot in the series' own units (a sum of them is unbiased, where
    // one of compressed values would not be), times a scale that moves when a new level is accepted or a ramp has
    // been reported; the usual spread of the window's log ratio, which sets how far it must rise.
    private readonly double[] _profile;
    private double _profileScale = 1;
    private double _preProfileScale = 1;
    private bool _rescaleWhenFull;
    private double _rampSpread = InitialRampSpread;
    // The ramp window: the last steps' values and the profile's values for them, with running sums.
    private readonly double[] _windowObserved;
    private readonly double[] _windowUsual;
    private int _windowCount;
    private double _windowSum;
    private double _windowUsualSum;
    // The last day of compressed values (hourly series only) and the steps since the daily shape was last moved: a
    // team that moves its hours (a relocation, a new team in another zone) keeps the shape of its days at other hours.
    private readonly double[] _recent;
    private int _sinceRephase;
    // The key's recent peak: the highest ordinary step, falling by half (in its units) over four weeks unless renewed.
    private double _peak;
    private readonly double _peakDecay;

    public SeriesDetector(DetectorSettings settings)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Period, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.WarmUp, 2);
        _s = settings;
        _memory = RecurrenceMemory.Supports(settings.StepSeconds) ? new RecurrenceMemory(settings.StepSeconds) : null;
        _season = new double[settings.Period];
        _activity = new double[Math.Max(settings.StepsPerDay, 1)];
        _warmValues = new double[settings.WarmUp];
        _warmSteps = new long[settings.WarmUp];
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.RampWindow, 1);
        _windowObserved = new double[settings.RampWindow];
        _windowUsual = new double[settings.RampWindow];
        _profile = new double[settings.Period];
        _recent = new double[settings.StepsPerDay == 24 && settings.Period == 7 * 24 ? 24 : 0];
        _alphaFast = HalfLifeRate(settings.FastHalfLife);
        _alphaSlow = HalfLifeRate(settings.SlowHalfLife);
        _alphaBias = HalfLifeRate(Math.Max(1, settings.SlowHalfLife / 2));
        _alphaActive = _alphaBias;
        // A slot is seen once per period: learn it faster when the period is long.
        _gamma = settings.Period >= 24 ? 0.2 : settings.Period > 1 ? 0.1 : 0;
        _lambda = Math.Min(0.1, 2 * _alphaFast);
        _rampLog = Math.Log(settings.RampRatio);
        _peakDecay = Ln2 / (28.0 * Math.Max(settings.StepsPerDay, 1));
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
        if (_recent.Length > 0)
            Rephase(step, y);
        var season = _season[slot];
        // Within a day, a step is also compared with its neighbours' usual: a job that runs an hour later (a clock
        // change, a slow queue) is neither a spike where it now runs nor a drop where it used to.
        var (before, after) = _s.StepsPerDay >= 24 ? (_season[Slot(step - 1, _s.Period)], _season[Slot(step + 1, _s.Period)]) : (season, season);
        var usual = Math.Max(_fast, _slow) + Math.Max(season, Math.Max(before, after));
        // What recurring days (the next day, a weekday, a month's end...) lead the series to expect above its usual.
        var (recurring, learnable) = _memory?.Expect(step) ?? (double.NegativeInfinity, false);
        var high = Math.Max(usual, recurring + RecurrenceMemory.Tolerance);
        // The step is the recurring day's when it is at least halfway up to its level; otherwise it is an ordinary
        // step on a day that might have been one (learned as any other).
        var explained = recurring > usual && y - usual > (recurring - usual) / 2 ? Math.Min(y, recurring) - usual : 0;
        var low = Math.Min(_fast, _slow) + Math.Min(season, Math.Min(before, after));
        // The whole first session after a long silence is a wake-up.
        var dormant = value != 0 && (_waking || _silentRun > Math.Max(DormantDays * Math.Max(_s.StepsPerDay, 1), DormantGaps * _sessionGap));
        var intermittent = _activeShare < IntermittentBelow && !dormant;
        // Hours vary less than days: a busy day is no spike for a large key whose hours are smooth, so the scale is at
        // least the usual spread of a day's total.
        var scale = Math.Max(_sigma, _rampSpread);
        var zUp = intermittent ? (y - Math.Max(high, _activeLevel)) / Math.Max(scale, _activeSpread) : (y - high) / scale;
        var zDown = (low - y) / _sigma;
        // A team that moves its hours fills hours that are usually quiet before the re-phasing can see the move (moved
        // earlier, its old hours have not yet had the chance to go quiet): while the hours since it woke are its usual
        // day's first hours at other hours, each at its usual level there, the day's spend is the same, and it is held.
        var held = zUp > 0 && !intermittent && !dormant && MovedDayStart(step);
        if (held)
            zUp = 0;

        // Capped at twice the decision level: a burst is forgotten within a few steps of its end, not scored for hours.
        _cusumUp = Math.Clamp(_cusumUp + Math.Min(zUp, ZCap) - _s.CusumAllowance, 0, 2 * _s.CusumLevel);
        var spike = Logistic(zUp - _s.SpikeZ);
        var shift = Logistic((_cusumUp - _s.CusumLevel) * 4 / _s.CusumLevel);
        // Muted planned activity, spikes and held hours of a moved day enter the window as usual: the ramp is growth
        // below the spike threshold, and must not fire for a day after a burst or a mute ends. So does what a recurring
        // day explains: a month-end batch is no ramp.
        var usualValue = _profile[slot] * _profileScale;
        // The window's usual total takes the next step's usual when it is busier: a working day that starts an hour
        // earlier after a clock change is no growth. (Not the previous step's: it has just learned this week's value.)
        var usualNear = _s.StepsPerDay >= 24 ? Math.Max(_profile[slot], _profile[Slot(step + 1, _s.Period)]) : _profile[slot];
        // Spend beyond twice what a recurring day explains is new, though.
        var beyond = explained > 0 ? Math.Max(0, value - _c * Math.Sinh(recurring + Ln2)) : 0;
        var rampRatio = PushWindow(learn && spike < 0.5 && !held ? (explained > 0 ? usualValue + beyond : value) : usualValue, usualNear);
        // The log of the ratio, less its usual value (the profile lags steady growth by a few percent); it must rise
        // well beyond its usual day-to-day spread too.
        var growth = rampRatio > 0 ? Math.Log(rampRatio) - _rampBias : double.NaN;
        var rampAt = Math.Max(_rampLog, RampSpreads * _rampSpread);
        // An intermittent series has no steady day to grow from: its ramp is the day it stops being intermittent.
        var ramp = growth > 0 && !intermittent ? Logistic((growth - rampAt) * 4 / rampAt) : 0;
        var run = value != 0 ? _activeRun + 1 : 0;
        var longFor = Math.Max(_s.AcceptAfter / 4.0, SessionsLong * _sessionLength);
        var record = intermittent && run > 0 ? Logistic((run - longFor) * 4 / longFor) : 0;
        var signals = AnomalySignals.None;
        if (spike >= 0.5) signals |= AnomalySignals.Spike;
        if (shift >= 0.5 || record >= 0.5) signals |= AnomalySignals.Shift;
        if (dormant) signals |= AnomalySignals.Dormant;
        if (ramp >= 0.5) signals |= AnomalySignals.Ramp;
        if (signals != AnomalySignals.None && !dormant && _memory is { QuarterEndUnseen: true } && y <= _peak + QuarterEndBound)
            signals |= AnomalySignals.FirstQuarterEnd;
        var up = Math.Max(Math.Max(spike, shift), record);
        // Drops are not scored (spend alerts look up), but a point far below does not teach the scale either.
        var farBelow = Logistic(zDown - _s.SpikeZ);

        if (_s.StepsPerDay > 1 && learn)
        {
            // Silent: this hour and its neighbours are active on far fewer days than the key's busiest hour, which
            // is busy on most days (a key used now and then has no silent hours to speak of).
            var hour = Slot(step, _s.StepsPerDay);
            var active = value != 0 ? 1.0 : 0.0;
            var near = Math.Max(_activity[hour], Math.Max(_activity[Slot(hour - 1, _s.StepsPerDay)], _activity[Slot(hour + 1, _s.StepsPerDay)]));
            if (active > 0 && _busiestHour >= RegularAbove && near < SilentBelow * _busiestHour)
                signals |= AnomalySignals.UnusualHour;
            _activity[hour] += ActivityRate * (active - _activity[hour]);
            if (hour == 0)
                _busiestHour = _activity.Max(); // once a day is enough
        }

        var score = Math.Max(up, ramp);
        if (learn)
        {
            _activeShare += _alphaActive * ((value != 0 ? 1 : 0) - _activeShare);
            if (run == 0 && _activeRun > 0 && record < 0.5)
                _sessionLength += SessionRate * (_activeRun - _sessionLength);
            if (run == 1 && _silentRun > 0)
            {
                _gapsSeen = Math.Min(_gapsSeen + 1, SessionsMeanOver);
                _sessionGap += Math.Max(SessionRate, 1.0 / _gapsSeen) * (_silentRun - _sessionGap);
            }

            _activeRun = run;
            _silentRun = run > 0 ? 0 : _silentRun + 1;
            _waking = dormant;
            if (value != 0)
            {
                // Plain means over the first sessions (there may have been none while warming up), then clipped
                // moving ones; sessions of very different sizes are the norm here, so big ones teach it too.
                _activeSeen = Math.Min(_activeSeen + 1, ActiveMeanOver);
                var rate = Math.Max(ActiveRate, 1.0 / _activeSeen);
                var clip = _activeSeen < ActiveMeanOver ? double.PositiveInfinity : ScaleClip * _activeSpread;
                var deviation = Math.Clamp(y - _activeLevel, -clip, clip);
                _activeLevel += rate * deviation;
                _activeSpread = Math.Max(SigmaFloor, _activeSpread + rate * (1.25 * Math.Abs(deviation) - _activeSpread));
            }

            _memory?.Observe(step, y, usual, _sigma, score >= 0.5);
            _peak = score < 0.5 ? Math.Max(y, _peak - _peakDecay) : _peak - _peakDecay;
            // A weekly pattern is the weekly baseline's to learn; a monthly one stays in the memory.
            var learned = learnable ? y : y - explained;
            // A day far below its usual total (a holiday, a quiet week) barely lowers the profile, so the working days
            // after it are no ramp; a lasting fall still does, slowly. A weekend that is always quiet is learned as usual.
            var profiled = Math.Min(learned == y ? value : _c * Math.Sinh(learned), 4 * usualValue + _c) / _profileScale;
            _profile[slot] += ProfileRate * (1 - up) * (growth < -OffDay ? 0.2 : 1) * (profiled - _profile[slot]);
            // The ratio's usual spread, from its falls only: a ramp must not raise the bar it has to clear.
            if (growth < 0)
                _rampSpread += _alphaBias * (Math.Min(-growth, 3 * _rampSpread) - _rampSpread);
            Learn(learned, slot, season, 1 - up, 1 - Math.Max(up, farBelow), up >= 0.5, growth, rampAt);
        }

        return new DetectorPoint(score, _c * Math.Sinh(high), usualValue, zUp, signals, true);
    }

    private void Learn(double y, int slot, double season, double weight, double scaleWeight, bool anomalousUp, double growth, double rampAt)
    {
        var residual = y - _fast - season;
        var clip = Clip * _sigma;
        var psi = Math.Clamp(residual, -clip, clip);
        if (Math.Abs(growth) < rampAt / 2)
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
                (_preFast, _preSlow, _preSigma, _preProfileScale) = (_fast, _slow, _sigma, _profileScale);
                _preMid = (Math.Max(_fast, _slow) + _runLevel) / 2;
            }

            _sinceAccept = _returnRun = 0;
            // A shift smaller than a ramp's threshold may be a ramp's first days: the ramp keeps its reference (and
            // its window). A larger one is a new level for the ramp too: the window refills, and the reference is
            // set to what it then holds.
            if (Math.Abs(_runLevel - _slow) >= _rampLog)
            {
                _slow = _runLevel;
                ClearWindow();
                _rescaleWhenFull = true;
            }

            _fast = _runLevel;
            _cusumUp = 0;
            _runUp = 0;
        }
        else if (!anomalousUp && growth > 2 * rampAt && _fast - _slow > _rampLog)
        {
            // A ramp past twice its own threshold has been reported; measure further growth from here. Only when the
            // fast level has moved too: a window lifted by a burst that has just ended is no new level.
            Rescale();
            _slow = _fast;
        }
    }

    /// <summary>
    /// A regular key's day that has moved by hours (a team relocated, a shift handed to another zone) is the same day
    /// at other hours, not a day of spikes: when a step is far above its usual (or a UTC day ends), the last 24 steps
    /// are held against the hour-of-week baseline at every lag up to half a day, and when one lag fits them far better
    /// than the baseline as it stands (several hours off, the old hours quiet, the new ones at the usual level), the
    /// baseline, profile and active hours are moved by it. A burst at night is one misfit hour at lag 0 and a whole
    /// misplaced day at any other lag, so it stays a burst.
    /// </summary>
    private void Rephase(long step, double y)
    {
        var at = Slot(step, 24);
        _recent[at] = y;
        _sinceRephase = Math.Min(_sinceRephase + 1, 1 << 20);
        if (_sinceRephase < 24 || _busiestHour < RegularAbove || _activeShare < IntermittentBelow)
            return;
        var level = Math.Max(_fast, _slow);
        if (at != 23 && y - level - _season[Slot(step, _s.Period)] < RephaseOff)
            return;
        // Moved hours leave their old hours quiet and fill others: a batch on top of a usual day, or a quiet holiday,
        // is no move.
        var atZero = Misfit(step, 0, level, out var below);
        if (atZero - below < RephaseCap * RephaseCap || below < RephaseMinMisfit)
            return;
        var (best, bestLag) = (double.MaxValue, 0);
        for (var lag = -12; lag <= 12; lag++)
        {
            if (Math.Abs(lag) < 2)
                continue;
            var misfit = Misfit(step, lag, level, out _);
            if (misfit < best)
                (best, bestLag) = (misfit, lag);
        }

        if (best > RephaseFit * atZero)
            return;
        Rotate(_season, bestLag);
        Rotate(_profile, bestLag);
        Rotate(_activity, bestLag);
        ClearWindow();
        _cusumUp = 0;
        _sinceRephase = 0;
    }

    /// <summary>
    /// Whether the steps since the key woke (each far above its usual, fewer than half a day of them) are the learnt
    /// day's first hours moved by a few hours, each within its noise of its usual level there: a day at other hours,
    /// not spend on top of one. A burst of a few usual hours' spend each does not fit them, nor does a run that keeps
    /// going past half a day; a run that stops fitting is scored from that step on.
    /// </summary>
    private bool MovedDayStart(long step)
    {
        if (_recent.Length == 0 || _sinceRephase < 24 || _busiestHour < RegularAbove || _activeShare < IntermittentBelow)
            return false;
        var level = Math.Max(_fast, _slow);
        var tolerance = Math.Max(MoveTolerance, 2 * _sigma);
        var run = 0;
        while (run < MoveRunMax && _recent[Slot(step - run, 24)] - level - _season[Slot(step - run, _s.Period)] >= RephaseOff)
            run++;
        if (run == 0 || run == MoveRunMax)
            return false;
        for (var lag = -MoveRunMax; lag <= MoveRunMax; lag++)
        {
            if (Math.Abs(lag) < 2)
                continue;
            // The step before the run is the moved day's quiet start too.
            var fits = _season[Slot(step - run - lag, _s.Period)] - _season[Slot(step - run, _s.Period)] < RephaseOff;
            for (var k = 0; k < run && fits; k++)
            {
                var moved = _season[Slot(step - k - lag, _s.Period)];
                fits = moved - _season[Slot(step - k, _s.Period)] >= RephaseOff
                    && Math.Abs(_recent[Slot(step - k, 24)] - level - moved) <= tolerance;
            }

            if (fits)
                return true;
        }

        return false;
    }

    // How badly the last 24 steps fit the baseline moved by `lag` steps (squared compressed errors, each capped), and
    // how much of that is steps below it.
    private double Misfit(long step, int lag, double level, out double below)
    {
        var sum = 0.0;
        below = 0;
        for (var k = 0; k < 24; k++)
        {
            var e = _recent[Slot(step - k, 24)] - level - _season[Slot(step - k - lag, _s.Period)];
            var m = Math.Min(e * e, RephaseCap * RephaseCap);
            sum += m;
            below += e < 0 ? m : 0;
        }

        return sum;
    }

    // Moves every value `lag` places later (a value for slot s now belongs to slot s + lag).
    private static void Rotate(double[] values, int lag)
    {
        var copy = (double[])values.Clone();
        for (var s = 0; s < values.Length; s++)
            values[Slot(s + lag, values.Length)] = copy[s];
    }

    /// <summary>
    /// Adds a step to the ramp window with the profile's value for its slot; returns the window's observed total over
    /// the profile's (scaled), or 0 while the window fills or where a ratio means nothing.
    /// </summary>
    private double PushWindow(double value, double usual)
    {
        var n = _windowObserved.Length;
        var at = _windowCount % n;
        if (_windowCount >= n)
        {
            _windowSum -= _windowObserved[at];
            _windowUsualSum -= _windowUsual[at];
        }

        _windowObserved[at] = value;
        _windowUsual[at] = usual;
        _windowSum += value;
        _windowUsualSum += usual;
        _windowCount = _windowCount >= 2 * n - 1 ? n : _windowCount + 1;
        if (at == n - 1)
            SumWindow(); // once per window: no drift from adding and subtracting
        if (_windowCount < n || _windowSum <= 0 || _windowUsualSum <= 0)
            return 0;
        if (_rescaleWhenFull)
        {
            _rescaleWhenFull = false;
            Rescale();
        }

        return _windowSum / (_windowUsualSum * _profileScale);
    }

    private void ClearWindow()
    {
        _windowCount = 0;
        SumWindow();
    }

    private void SumWindow()
    {
        _windowSum = _windowUsualSum = 0;
        for (var i = 0; i < Math.Min(_windowCount, _windowObserved.Length); i++)
        {
            _windowSum += _windowObserved[i];
            _windowUsualSum += _windowUsual[i];
        }
    }

    /// <summary>Scales the profile so that the window's total is as usual (its usual bias included): growth is measured from here.</summary>
    private void Rescale()
    {
        if (_windowCount >= _windowObserved.Length && _windowSum > 0 && _windowUsualSum > 0)
            _profileScale = _windowSum / _windowUsualSum / Math.Exp(_rampBias);
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
            (_fast, _slow, _sigma, _profileScale) = (_preFast, _preSlow, _preSigma, _preProfileScale);
            _cusumUp = 0;
            _runUp = 0;
            _preFast = double.NaN;
            _rescaleWhenFull = false;
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
        if (_s.StepsPerDay > 1 && _s.Period > _s.StepsPerDay)
        {
            // An hour of the week seen once, far off its hour's mean over the week (a holiday in the warm-up), starts
            // halfway between the two: it must not leave a working hour low for months (a slot learns a little a week).
            var offsets = new double[_s.StepsPerDay];
            var seen = new int[_s.StepsPerDay];
            for (var slot = 0; slot < _season.Length; slot++)
            {
                if (counts[slot] == 0)
                    continue;
                offsets[slot % _s.StepsPerDay] += _season[slot];
                seen[slot % _s.StepsPerDay]++;
            }

            for (var slot = 0; slot < _season.Length; slot++)
            {
                var hour = slot % _s.StepsPerDay;
                var mean = seen[hour] > 0 ? offsets[hour] / seen[hour] : 0;
                if (counts[slot] == 0 || (counts[slot] == 1 && Math.Abs(_season[slot] - mean) > Ln2))
                    _season[slot] = counts[slot] == 0 ? mean : (_season[slot] + mean) / 2;
            }
        }
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

        // The ramp's profile: each slot's mean, or for a slot the warm-up missed the mean of the same time of day.
        var sums = new double[_s.Period];
        var byHour = new double[Math.Max(_s.StepsPerDay, 1)];
        var hourCounts = new int[byHour.Length];
        for (var i = 0; i < n; i++)
        {
            sums[Slot(_warmSteps[i], _s.Period)] += values[i];
            var hour = _s.StepsPerDay > 1 ? Slot(_warmSteps[i], _s.StepsPerDay) : 0;
            byHour[hour] += values[i];
            hourCounts[hour]++;
        }

        for (var slot = 0; slot < _profile.Length; slot++)
        {
            var hour = _s.StepsPerDay > 1 ? slot % _s.StepsPerDay : 0;
            _profile[slot] = counts[slot] > 0 ? sums[slot] / counts[slot] : hourCounts[hour] > 0 ? byHour[hour] / hourCounts[hour] : meanAbs;
        }

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
            _busiestHour = _activity.Max();
        }

        var active = ys.Where(v => v != 0).ToArray();
        _activeShare = (double)active.Length / n;
        _activeSeen = Math.Min(active.Length, ActiveMeanOver);
        if (active.Length > 0)
        {
            _activeLevel = active.Average();
            _activeSpread = Math.Max(SigmaFloor, 1.25 * active.Average(v => Math.Abs(v - _activeLevel)));
        }

        _peak = ys.Max();
        if (_memory is not null)
            RememberWarmUp(ys);
    }

    /// <summary>
    /// The warm-up's days are the memory's too: a month's first-day job seen only in the first week of history is
    /// the key's normal at the next month's start. Each step is held against the median of its time of day over the
    /// warm-up (one odd day does not make its own usual), the next steps included (a job an hour late), with a scale
    /// of at least half a doubling: a warm-up's ordinary ups and downs must not be remembered as weekly days that every
    /// ordinary week then confirms (the memory expects up to twice a remembered level, which would hide a leak there).
    /// </summary>
    private void RememberWarmUp(double[] ys)
    {
        var perDay = Math.Max(_s.StepsPerDay, 1);
        var medians = new double[perDay];
        for (var hour = 0; hour < perDay; hour++)
        {
            var same = new List<double>();
            for (var i = 0; i < ys.Length; i++)
            {
                if (Slot(_warmSteps[i], perDay) == hour)
                    same.Add(ys[i]);
            }

            medians[hour] = Median([.. same]);
        }

        for (var i = 0; i < ys.Length; i++)
        {
            var hour = Slot(_warmSteps[i], perDay);
            var usual = perDay > 1 ? Math.Max(medians[hour], Math.Max(medians[Slot(hour - 1, perDay)], medians[Slot(hour + 1, perDay)])) : medians[hour];
            _memory!.Expect(_warmSteps[i]);
            _memory.Observe(_warmSteps[i], ys[i], usual, Math.Max(_sigma, Ln2 / 2), false);
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
        w.Write(_busiestHour);
        w.Write(_activeShare);
        w.Write(_activeLevel);
        w.Write(_activeSpread);
        w.Write(_activeSeen);
        w.Write(_activeRun);
        w.Write(_sessionLength);
        w.Write(_silentRun);
        w.Write(_sessionGap);
        w.Write(_waking);
        w.Write(_gapsSeen);
        foreach (var v in _profile)
            w.Write(v);
        w.Write(_profileScale);
        w.Write(_preProfileScale);
        w.Write(_rescaleWhenFull);
        w.Write(_rampSpread);
        w.Write(_windowCount);
        w.Write(_windowSum);
        w.Write(_windowUsualSum);
        for (var i = 0; i < _windowObserved.Length; i++)
        {
            w.Write(_windowObserved[i]);
            w.Write(_windowUsual[i]);
        }

        foreach (var v in _recent)
            w.Write(v);
        w.Write(_sinceRephase);
        w.Write(_peak);
        _memory?.Save(w);
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
        _busiestHour = r.ReadDouble();
        _activeShare = r.ReadDouble();
        _activeLevel = r.ReadDouble();
        _activeSpread = r.ReadDouble();
        _activeSeen = r.ReadInt32();
        _activeRun = r.ReadInt32();
        _sessionLength = r.ReadDouble();
        _silentRun = r.ReadInt32();
        _sessionGap = r.ReadDouble();
        _waking = r.ReadBoolean();
        _gapsSeen = r.ReadInt32();
        for (var i = 0; i < _profile.Length; i++)
            _profile[i] = r.ReadDouble();
        _profileScale = r.ReadDouble();
        _preProfileScale = r.ReadDouble();
        _rescaleWhenFull = r.ReadBoolean();
        _rampSpread = r.ReadDouble();
        _windowCount = r.ReadInt32();
        _windowSum = r.ReadDouble();
        _windowUsualSum = r.ReadDouble();
        for (var i = 0; i < _windowObserved.Length; i++)
        {
            _windowObserved[i] = r.ReadDouble();
            _windowUsual[i] = r.ReadDouble();
        }

        for (var i = 0; i < _recent.Length; i++)
            _recent[i] = r.ReadDouble();
        _sinceRephase = r.ReadInt32();
        _peak = r.ReadDouble();
        _memory?.Restore(r);
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
