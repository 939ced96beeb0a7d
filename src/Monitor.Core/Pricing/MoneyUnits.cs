using System.Globalization;

namespace Monitor.Core.Pricing;

/// <summary>
/// Money is stored as integer micro-units (1e-6 of the currency unit) so that sums are exact and portable
/// across SQLite and PostgreSQL; in memory it is <see cref="decimal"/>, never double.
/// </summary>
public static class MoneyUnits
{
    private const decimal MicrosPerUnit = 1_000_000m;

    public static long ToMicros(decimal amount) =>
        (long)decimal.Round(amount * MicrosPerUnit, 0, MidpointRounding.AwayFromZero);

    public static decimal FromMicros(long micros) => micros / MicrosPerUnit;

    /// <summary>Invariant text with up to six decimals and no trailing zeros: 161.2, 0.000123.</summary>
    public static string Format(decimal amount) =>
        decimal.Round(amount, 6, MidpointRounding.AwayFromZero).ToString("0.######", CultureInfo.InvariantCulture);

    /// <summary>Human form for mail and pages: "EUR 161.20".</summary>
    public static string Display(decimal amount, Currency currency) =>
        string.Create(CultureInfo.InvariantCulture, $"{currency} {amount:N2}");
}
