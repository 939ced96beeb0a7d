namespace Monitor.Dashboard;

/// <summary>How a panel is drawn. Wire names: line, stacked_bar, table, gauge, list.</summary>
public enum PanelKind
{
    Line,
    StackedBar,
    Table,

    /// <summary>One gauge per budget with its thresholds marked (metric budget_use only).</summary>
    Gauge,

    /// <summary>Compact tiles, largest first: one per group (and currency for money).</summary>
    List,
}
