namespace Monitor.Core.Alerts;

public enum AlertSeverity
{
    Info,
    Warning,
    Critical,
}
