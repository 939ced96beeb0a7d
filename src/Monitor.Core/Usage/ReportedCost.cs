namespace Monitor.Core.Usage;

/// <summary>
/// Spreads a cost the provider reports for a whole day over that day's finer buckets, in proportion to their weights
/// (their catalog estimates, or tokens when unpriced), in micro-units, so that the shares sum exactly to the reported
/// amount: the ledger keeps the hourly shape and still adds up to the bill.
/// </summary>
public static class ReportedCost
{
    public static decimal[] Spread(decimal reported, IReadOnlyList<decimal> weights)
    {
        var shares = new decimal[weights.Count];
        if (shares.Length == 0)
            return shares;
        reported = decimal.Round(reported, 6); // the ledger holds micro-units: spread exactly what it can hold
        var total = weights.Sum();
        var perWeight = total == 0 ? 0m : reported / total;
        var even = decimal.Round(reported / shares.Length, 6);
        var left = reported;
        for (var i = 0; i < shares.Length - 1; i++)
        {
            shares[i] = total == 0 ? even : decimal.Round(weights[i] * perWeight, 6);
            left -= shares[i];
        }

        shares[^1] = left; // the last bucket takes the rounding
        return shares;
    }
}
