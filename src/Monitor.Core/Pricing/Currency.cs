namespace Monitor.Core.Pricing;

/// <summary>Billing currencies. Amounts in different currencies are never added together.</summary>
public enum Currency
{
    USD,
    EUR,
}

public static class Currencies
{
    public static bool TryParse(string? text, out Currency currency)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "USD": currency = Currency.USD; return true;
            case "EUR": currency = Currency.EUR; return true;
            default: currency = default; return false;
        }
    }
}
