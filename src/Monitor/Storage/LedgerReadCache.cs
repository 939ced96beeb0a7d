using Dapper;

namespace Monitor.Storage;

/// <summary>
/// Keeps the results of the dashboard's ledger reads while the ledger has not changed. The ledger's version is the
/// newest ingest batch: every write of usage_records and of its rollup is a <see cref="LedgerTransaction"/>, which
/// adds a batch in the same transaction, so a new batch is exactly when a cached total may be stale. A read that
/// races a commit is cached under the older version and read again on the next request. Entries of older versions
/// are dropped; at most <see cref="MaxEntries"/> are kept (drill-downs take any range).
/// </summary>
public sealed class LedgerReadCache(Database database)
{
    public const int MaxEntries = 512;

    private readonly Lock _lock = new();
    private readonly Dictionary<object, object> _entries = [];
    private long _version = -1;

    /// <param name="key">Everything the read depends on, with value equality (a tuple or a record).</param>
    public async Task<T> GetOrReadAsync<T>(object key, Func<Task<T>> read, CancellationToken ct)
        where T : class
    {
        long version;
        await using (var connection = await database.OpenAsync(ct))
        {
            version = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COALESCE(MAX(id), 0) FROM ingest_batches", cancellationToken: ct));
        }

        lock (_lock)
        {
            if (version > _version)
            {
                _entries.Clear();
                _version = version;
            }
            else if (version == _version && _entries.TryGetValue(key, out var hit))
            {
                return (T)hit;
            }
        }

        var value = await read();
        lock (_lock)
        {
            if (version == _version)
            {
                if (_entries.Count >= MaxEntries)
                    _entries.Clear();
                _entries[key] = value;
            }
        }

        return value;
    }
}
