namespace Monitor.Core.Usage;

/// <summary>
/// How a record entered the ledger: pulled from the provider's usage API, imported from a file, served by the demo's
/// fakes, or metered by the pass-through proxy from the usage each response carries.
/// </summary>
public enum RecordSource
{
    Api,
    Import,
    Demo,
    Proxy,
}
