namespace Monitor.Core.Alerts;

/// <summary>Every kind of alert the monitor raises; the export and database use the snake_case names.</summary>
public enum AlertKind
{
    BudgetThreshold,
    BudgetForecast,
    Anomaly,
    Deprecation,
    AliasMoved,
    KeyRotation,
    KeyExpiry,
    KeyUnused,
    ProviderCap,
    LowBalance,
    PaymentFailure,
    StaleData,
    PullFailure,

    /// <summary>Provider-reported usage the metering proxy did not see on a day: keys or places that go around it.</summary>
    UnmeteredUsage,
}
