namespace Monitor.Hosting;

/// <summary>One entry of <c>Monitor:Budgets</c>. Text fields stay text so every typo is reported together, by key.</summary>
public sealed class BudgetOptions
{
    public string Name { get; set; } = "";
    public BudgetScopeOptions Scope { get; set; } = new();
    public decimal Amount { get; set; }
    public string Currency { get; set; } = "";

    /// <summary>Day, Week, Month, Quarter or Rolling.</summary>
    public string Period { get; set; } = "Month";

    /// <summary>For Week: the first day (default Monday).</summary>
    public string WeekStart { get; set; } = "Monday";

    /// <summary>For Rolling: the window in days.</summary>
    public int RollingDays { get; set; } = 30;

    /// <summary>IANA time zone of the period boundaries.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Percentages of Amount; null: 50, 80, 100. (Null, not a default list: the binder would append to it.)</summary>
    public List<decimal>? Thresholds { get; set; }

    public List<decimal>? ThresholdAmounts { get; set; }
    public bool Forecast { get; set; } = true;

    /// <summary>Percent above Amount the projection must reach before the forecast alert fires.</summary>
    public decimal ForecastMargin { get; set; } = 10;

    public List<string>? To { get; set; }

    /// <summary>
    /// Stop spend at the metering proxy: once the period's spend reaches Amount, calls in the scope get HTTP 429 until the
    /// period ends or the budget is raised. The scope's account (or, without one, some account) must have the proxy enabled.
    /// </summary>
    public bool Enforce { get; set; }
}

public sealed class BudgetScopeOptions
{
    public string? Account { get; set; }
    public string? Workspace { get; set; }
    public string? KeyId { get; set; }
    public string? Model { get; set; }
}
