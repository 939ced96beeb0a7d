using System.Data.Common;

namespace Monitor.Storage;

/// <summary>
/// One counted ledger bucket as <see cref="UsageWindowReader.BucketsAsync"/> streams them, read in place from the open
/// reader: each value is decoded only when asked (the anomaly check reads provider and currency for new models only).
/// </summary>
public sealed class LedgerBucket(DbDataReader reader)
{
    public string Account => reader.GetString(0);
    public string Workspace => reader.GetString(1);
    public string KeyId => reader.GetString(2);
    public string Model => reader.GetString(3);
    public long Start => reader.GetInt64(4);

    /// <summary>A day-wide bucket (compared in SQL: a string per row less to decode).</summary>
    public bool Daily => reader.GetInt64(5) != 0;

    public string Provider => reader.GetString(6);
    public string Currency => reader.GetString(7);
    public long? CostMicros => reader.IsDBNull(8) ? null : reader.GetInt64(8);
    public long Tokens => reader.GetInt64(9);
    public long Requests => reader.GetInt64(10);
    public long IngestedAt => reader.GetInt64(11);
}
