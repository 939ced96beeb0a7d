namespace Monitor.Core.Budgets;

/// <summary>
/// A scope's spend per UTC hour from <see cref="Origin"/>, in micro-units of the budget's currency. Daily and monthly
/// buckets are spread evenly over the hours they cover (up to the time they were observed), so providers with coarse
/// buckets still count in the right period, and the forecast sees a flat shape for them rather than a false one.
/// </summary>
public sealed class HourlySpend
{
    public HourlySpend(DateTimeOffset origin, int hours)
    {
        Origin = origin;
        Micros = new double[hours];
    }

    public DateTimeOffset Origin { get; }

    /// <summary>Micro-units per hour (double: spreading makes fractions; money totals are rounded to micro-units at the end).</summary>
    public double[] Micros { get; }

    public int IndexOf(DateTimeOffset at) => (int)Math.Floor((at - Origin).TotalHours);

    /// <summary>Adds a bucket [start, start + width) worth <paramref name="micros"/>; the span is cut at <paramref name="observedUntil"/>.</summary>
    public void Add(DateTimeOffset start, TimeSpan width, double micros, DateTimeOffset observedUntil)
    {
        if (width <= TimeSpan.FromHours(1))
        {
            var i = IndexOf(start);
            if (i >= 0 && i < Micros.Length)
                Micros[i] += micros;
            return;
        }

        var end = start + width;
        if (end > observedUntil)
            end = observedUntil > start ? observedUntil : start + TimeSpan.FromHours(1);
        var first = IndexOf(start);
        var last = (int)Math.Ceiling((end - Origin).TotalHours); // exclusive
        var count = Math.Max(1, last - first);
        var share = micros / count;
        for (var i = Math.Max(0, first); i < Math.Min(Micros.Length, first + count); i++)
            Micros[i] += share;
    }

    /// <summary>Spend in [from, to), counting an hour cut by a boundary (half-hour zones) by the part inside.</summary>
    public double Sum(DateTimeOffset from, DateTimeOffset to)
    {
        var fromHours = (from - Origin).TotalHours;
        var toHours = (to - Origin).TotalHours;
        var first = Math.Max(0, (int)Math.Floor(fromHours));
        var last = Math.Min(Micros.Length, (int)Math.Ceiling(toHours));
        var total = 0.0;
        for (var i = first; i < last; i++)
        {
            var inside = Math.Min(i + 1, toHours) - Math.Max(i, fromHours);
            if (inside >= 1)
                total += Micros[i];
            else if (inside > 0)
                total += Micros[i] * inside;
        }

        return total;
    }

    /// <summary>The next whole UTC hour (or the time itself when it is one).</summary>
    public static DateTimeOffset CeilHour(DateTimeOffset t) => DateTimeOffset.FromUnixTimeSeconds((t.ToUnixTimeSeconds() + 3599) / 3600 * 3600);

}
