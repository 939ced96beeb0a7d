namespace Monitor.Storage;

/// <summary>What a panel measures. Wire names: cost, tokens, requests, budget_use, forecast, unmetered.</summary>
public enum PanelMetric
{
    /// <summary>Money from <c>cost_micros</c>, per currency; unpriced rows are counted apart, never as zero.</summary>
    Cost,

    /// <summary>Uncached input + cached input + cache writes + output (reasoning is part of output).</summary>
    Tokens,

    Requests,

    /// <summary>Each budget's spend against its amount and thresholds (from the budget sources; no grouping, no window).</summary>
    BudgetUse,

    /// <summary>Month-to-date cost per group and currency with a linear projection to the end of the month (window mtd).</summary>
    Forecast,

    /// <summary>
    /// Provider-reported usage the metering proxy did not meter, per account and completed UTC day (grouping account) or
    /// per account, day and model (grouping model), for accounts with both sources; kind table.
    /// </summary>
    Unmetered,
}
