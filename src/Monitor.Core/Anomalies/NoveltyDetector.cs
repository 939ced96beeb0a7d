namespace Monitor.Core.Anomalies;

/// <summary>
/// Scores a generic series (any metric: latency, CPU, request counts; what <c>monitor detect</c> reads) by how
/// unprecedented each point is, from the past only, in one pass. Spend has its own detector (<see cref="SeriesDetector"/>):
/// there a rise is what matters, and its size in money; here a point is anomalous when nothing like it has been seen.
/// Four views, each judged against its own history, so no scale or distribution is assumed:
/// <list type="bullet">
/// <item>the value: how far beyond the largest (or below the smallest) value so far, in units of the tail's own scale;</item>
/// <item>the value less the median of the previous <see cref="LocalSteps"/>: a spike or dip against the current level,
/// however high the level has been before;</item>
/// <item>the mean of the last <see cref="MeanSteps"/>: a level never held before, even when single points are not extreme;</item>
/// <item>context: each point's decile-like bin (from the distribution so far) with the previous point's and the time of
/// day; a burst of pairs never seen before (the series does something new at this time of day, or in this order) is
/// surprising against the rate at which new pairs usually appear.</item>
/// </list>
/// Only the onset of an anomaly matters: after a point scores 0.5 or more, the next <see cref="RefractorySteps"/> score
/// low unless they are markedly more surprising. Scores near 1 are therefore sparse on normal data.
/// </summary>
public sealed class NoveltyDetector
{
    public const int WarmUp = 200;
    public const int LocalSteps = 12;
    public const int MeanSteps = 24;
    public const int RefractorySteps = 200;

    private const int Bins = 8;
    private const int NovelWindow = 10;
    private const double MarginAt = 0.5;
    private const double SurpriseAt = 5;
    private const double SurpriseScale = 0.5;
    private const double Stronger = 3;

    private readonly ExtremeHistory _values = new();
    private readonly ExtremeHistory _local = new();
    private readonly ExtremeHistory _means = new();
    private readonly HashSet<long> _contexts = [];
    private readonly double[] _recent = new double[MeanSteps];
    private readonly double[] _scratch = new double[LocalSteps];
    private readonly bool[] _novel = new bool[NovelWindow];
    private readonly long _phaseSeconds;
    private long _count;
    private double _sum;
    private int _previousBin = int.MinValue;
    private int _novelCount;
    private double _novelRate = 0.05;
    private long _lastAlert = long.MinValue;
    private double _lastStrength;
    private double _alertValue;
    private double _levelBefore;

    /// <param name="step">The series' regular step (zero when irregular): the context includes the time of day when a
    /// day holds whole steps.</param>
    public NoveltyDetector(TimeSpan step)
    {
        var seconds = (long)step.TotalSeconds;
        // An hour of day for hourly and finer steps; none for daily or irregular series.
        _phaseSeconds = seconds > 0 && seconds < 86_400 && 86_400 % seconds == 0 ? Math.Max(seconds, 3_600) : 0;
    }

    /// <summary>Scores <paramref name="value"/> at <paramref name="unixSeconds"/> in [0, 1], then learns it.</summary>
    public double Next(long unixSeconds, double value)
    {
        if (!double.IsFinite(value))
            value = 0;
        var n = _count;
        var local = double.NaN;
        var level = value;
        if (n >= LocalSteps)
        {
            for (var i = 0; i < LocalSteps; i++)
                _scratch[i] = _recent[(n - 1 - i) % MeanSteps];
            Array.Sort(_scratch);
            level = _scratch[LocalSteps / 2];
            local = value - level;
        }

        _sum += value - (n >= MeanSteps ? _recent[n % MeanSteps] : 0);
        _recent[n % MeanSteps] = value;
        var mean = n + 1 >= MeanSteps ? _sum / MeanSteps : double.NaN;

        var margin = Math.Max(_values.Margin(value), Math.Max(
            double.IsNaN(local) ? double.NegativeInfinity : _local.Margin(local),
            double.IsNaN(mean) ? double.NegativeInfinity : _means.Margin(mean)));
        var surprise = n >= 20 ? ContextSurprise(unixSeconds, value) : 0;

        _values.Add(value);
        if (!double.IsNaN(local))
            _local.Add(local);
        if (!double.IsNaN(mean))
            _means.Add(mean);
        _count++;
        if (n < WarmUp)
            return 0;

        // The strength in logits: 0 is a score of 0.5. Within the refractory steps after an onset, a point must be
        // markedly stronger than the onset to count, and one on its way back to the level before it never counts.
        var strength = Math.Max(margin - MarginAt, (surprise - SurpriseAt) / SurpriseScale);
        if (n - _lastAlert < RefractorySteps)
        {
            var returning = Math.Abs(value - _levelBefore) < Math.Abs(value - _alertValue);
            strength = returning ? Math.Min(strength, -Stronger) : Math.Min(strength, strength - _lastStrength - Stronger);
        }

        var score = Logistic(strength);
        if (score >= 0.5)
            (_lastAlert, _lastStrength, _alertValue, _levelBefore) = (n, strength, value, level);
        return score;
    }

    /// <summary>
    /// −log10 of the chance of seeing this many never-seen contexts among the last few points, at the rate new ones
    /// have been appearing (Poisson tail). A context is the point's bin, the previous point's, and the hour of day.
    /// </summary>
    private double ContextSurprise(long unixSeconds, double value)
    {
        var cdf = _values.Cdf(value);
        var bin = cdf >= 1 ? Bins : cdf <= 0 ? -1 : (int)(cdf * Bins);
        var previous = _previousBin;
        _previousBin = bin;
        if (previous == int.MinValue)
            return 0;
        var phase = _phaseSeconds > 0 ? (unixSeconds % 86_400 + 86_400) % 86_400 / _phaseSeconds + 1 : 0;
        var key = (phase * 64 + previous + 2) * 64 + bin + 2;
        var novel = _contexts.Add(key);

        var at = (int)(_count % NovelWindow);
        _novelCount += (novel ? 1 : 0) - (_novel[at] ? 1 : 0);
        _novel[at] = novel;
        var window = (int)Math.Min(_count, NovelWindow);
        var lambda = Math.Max(_novelRate, 1e-3) * window;
        double term = Math.Exp(-lambda), below = 0;
        for (var i = 0; i < _novelCount; i++)
        {
            below += term;
            term *= lambda / (i + 1);
        }

        _novelRate += ((novel ? 1 : 0) - _novelRate) / Math.Min(_count + 1, 1000);
        return -Math.Log10(Math.Max(1 - below, 1e-300));
    }

    private static double Logistic(double x) => 1 / (1 + Math.Exp(-x));
}
