namespace Monitor.Core.Anomalies;

/// <summary>
/// A sorted sample of the values a statistic has taken so far (all of them up to <see cref="Capacity"/>, then every other
/// one, the extremes always kept): how far a new value lies beyond the most extreme one seen, in units of the tail's
/// own scale, and where it falls in the distribution.
/// </summary>
public sealed class ExtremeHistory
{
    public const int Capacity = 4096;

    private const int MinCount = 20;
    private readonly double[] _sorted = new double[Capacity + 1];
    private int _count;

    public int Count => _count;

    public void Add(double x)
    {
        var at = LowerBound(x);
        Array.Copy(_sorted, at, _sorted, at + 1, _count - at);
        _sorted[at] = x;
        if (++_count <= Capacity)
            return;
        // Thin to every other value; the largest stays (index 0 is kept by the stride).
        var last = _sorted[_count - 1];
        var kept = 0;
        for (var i = 0; i < _count; i += 2)
            _sorted[kept++] = _sorted[i];
        if (_sorted[kept - 1] != last)
            _sorted[kept++] = last;
        _count = kept;
    }

    /// <summary>
    /// How far <paramref name="x"/> lies above the largest value seen (or below the smallest), in units of the mean
    /// excess of the top (bottom) one percent over the value just inside them: 0 on the record, negative inside the
    /// range. Negative infinity while fewer than 20 values are known.
    /// </summary>
    public double Margin(double x)
    {
        var n = _count;
        if (n < MinCount)
            return double.NegativeInfinity;
        var k = Math.Min(Math.Max(5, n / 100), n / 2);
        var spread = Math.Max(_sorted[n * 3 / 4] - _sorted[n / 4], 1e-9 * (1 + Math.Abs(_sorted[n / 2])));
        double up = 0, down = 0;
        for (var i = 0; i < k; i++)
        {
            up += _sorted[n - 1 - i] - _sorted[n - 1 - k];
            down += _sorted[k] - _sorted[i];
        }

        var above = (x - _sorted[n - 1]) / Math.Max(up / k, spread * 0.05);
        var below = (_sorted[0] - x) / Math.Max(down / k, spread * 0.05);
        return Math.Max(above, below);
    }

    /// <summary>The share of values seen below <paramref name="x"/> (ties count half); 1 above them all, 0 below.</summary>
    public double Cdf(double x)
    {
        if (_count == 0)
            return 0.5;
        if (x > _sorted[_count - 1])
            return 1;
        if (x < _sorted[0])
            return 0;
        return Math.Min(0.999999, (LowerBound(x) + UpperBound(x)) / 2.0 / _count);
    }

    private int LowerBound(double x)
    {
        int a = 0, b = _count;
        while (a < b)
        {
            var m = (a + b) >> 1;
            if (_sorted[m] < x)
                a = m + 1;
            else
                b = m;
        }

        return a;
    }

    private int UpperBound(double x)
    {
        int a = 0, b = _count;
        while (a < b)
        {
            var m = (a + b) >> 1;
            if (_sorted[m] <= x)
                a = m + 1;
            else
                b = m;
        }

        return a;
    }
}
