using Monitor.Core.Pricing;

namespace Monitor.Core.Budgets;

/// <summary>A configured conversion, valid from a date: 1 <see cref="From"/> = <see cref="Rate"/> <see cref="To"/>.</summary>
public sealed record ExchangeRate(Currency From, Currency To, decimal Rate, DateTimeOffset EffectiveFrom)
{
    /// <summary>The rate in force at <paramref name="at"/> (latest effective date not after it), or null: never guess a rate.</summary>
    public static decimal? Find(IReadOnlyList<ExchangeRate> rates, Currency from, Currency to, DateTimeOffset at)
    {
        if (from == to)
            return 1m;
        return rates.Where(r => r.From == from && r.To == to && r.EffectiveFrom <= at)
            .OrderByDescending(r => r.EffectiveFrom).Select(r => (decimal?)r.Rate).FirstOrDefault();
    }
}
