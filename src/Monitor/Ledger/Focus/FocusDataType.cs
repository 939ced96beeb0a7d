namespace Monitor.Ledger.Focus;

/// <summary>The FOCUS data types the export writes (FOCUS attributes: Numeric, Date/Time and Key-Value formats).</summary>
public enum FocusDataType
{
    String,
    Decimal,
    DateTime,

    /// <summary>A JSON object serialized as a string (Key-Value Format).</summary>
    Json,
}
