namespace Monitor.Dashboard;

/// <summary>The UTC time range a panel covers. Wire names: mtd, 7d, 30d, 90d.</summary>
public enum PanelWindow
{
    MonthToDate,
    Last7Days,
    Last30Days,
    Last90Days,
}
