namespace Monitor.Ledger.Focus;

/// <summary>
/// Splits an amount in micro-units into parts proportional to weights, so that the parts add up to the amount exactly:
/// each part gets its share rounded down, and the micro-units left go one each to the largest remainders (the earlier
/// part on a tie). All weights zero or none positive: the amount is split evenly the same way.
/// </summary>
public static class CostSplit
{
    public static long[] Proportional(long amount, IReadOnlyList<decimal> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count == 0)
            throw new ArgumentException("at least one part is needed", nameof(weights));
        var total = weights.Sum(w => Math.Max(w, 0m));
        var shares = total > 0m
            ? weights.Select(w => Math.Max(w, 0m) / total).ToArray()
            : [.. weights.Select(_ => 1m / weights.Count)];
        var magnitude = Math.Abs(amount);
        var parts = new long[weights.Count];
        var remainders = new decimal[weights.Count];
        for (var i = 0; i < parts.Length; i++)
        {
            var exact = magnitude * shares[i];
            parts[i] = (long)decimal.Floor(exact);
            remainders[i] = exact - parts[i];
        }

        var left = magnitude - parts.Sum();
        foreach (var i in Enumerable.Range(0, parts.Length).OrderByDescending(i => remainders[i]).ThenBy(i => i).Take((int)left))
            parts[i]++;
        return amount < 0 ? [.. parts.Select(p => -p)] : parts;
    }
}
