namespace Monitor.Dashboard;

/// <summary>How a panel is drawn. Wire names: line, stacked_bar, table.</summary>
public enum PanelKind
{
    Line,
    StackedBar,
    Table,
}
