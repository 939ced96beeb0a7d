namespace Monitor.Core.Usage;

/// <summary>How a record entered the ledger.</summary>
public enum RecordSource
{
    Api,
    Import,
    Demo,
}
