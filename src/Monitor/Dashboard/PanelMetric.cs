namespace Monitor.Dashboard;

/// <summary>What a panel measures. Wire names: cost, tokens, requests.</summary>
public enum PanelMetric
{
    /// <summary>Money from <c>cost_micros</c>, per currency; unpriced rows are counted apart, never as zero.</summary>
    Cost,

    /// <summary>Uncached input + cached input + cache writes + output (reasoning is part of output).</summary>
    Tokens,

    Requests,
}
