namespace Monitor.Ledger;

public enum ExportFormat
{
    Csv,
    Json,
}
