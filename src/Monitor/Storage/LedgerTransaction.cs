using System.Data.Common;
using Dapper;
using System.Data;
using Monitor.Core;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;

namespace Monitor.Storage;

/// <summary>
/// One pull or one import: a single transaction, all or nothing. Records are upserted by their identity, and
/// <see cref="ReplaceWindowAsync"/> then removes what the same account had in the window but this batch did not
/// bring, so that pulling or importing a window again replaces it and never double-counts. At commit, the daily rollup
/// (<see cref="UsageRollup"/>) of every account and UTC day the batch touched is recomputed in the same transaction.
/// Each record is marked <c>counted</c> from its account's recorded usage source (<c>account_usage_sources</c>, kept
/// in step with <c>UsageFrom</c> at start by <see cref="UsageSourceRepository"/>): metered proxy rows count where the
/// account counts the proxy, every other source where it counts the provider's API; so no writer can count both.
/// </summary>
public sealed class LedgerTransaction : IAsyncDisposable
{
    private const string UpsertSql = """
        INSERT INTO usage_records (account, provider, workspace, key_id, key_fingerprint, model, category, bucket_start, bucket_width,
            input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, requests, units, unit,
            cost_micros, currency, cost_source, estimated_cost_micros, source, ingested_at, batch_id, raw, counted)
        VALUES (@account, @provider, @workspace, @key_id, @key_fingerprint, @model, @category, @bucket_start, @bucket_width,
            @input_tokens, @cached_input_tokens, @cache_write_tokens, @output_tokens, @reasoning_tokens, @requests, @units, @unit,
            @cost_micros, @currency, @cost_source, @estimated_cost_micros, @source, @ingested_at, @batch_id, @raw, @counted)
        ON CONFLICT (account, bucket_start, bucket_width, workspace, key_id, model, category) DO UPDATE SET
            provider = excluded.provider, key_fingerprint = excluded.key_fingerprint,
            input_tokens = excluded.input_tokens, cached_input_tokens = excluded.cached_input_tokens,
            cache_write_tokens = excluded.cache_write_tokens, output_tokens = excluded.output_tokens,
            reasoning_tokens = excluded.reasoning_tokens, requests = excluded.requests,
            units = excluded.units, unit = excluded.unit,
            cost_micros = excluded.cost_micros, currency = excluded.currency, cost_source = excluded.cost_source,
            estimated_cost_micros = excluded.estimated_cost_micros, source = excluded.source,
            ingested_at = excluded.ingested_at, batch_id = excluded.batch_id, raw = excluded.raw, counted = excluded.counted
        """;


    private readonly DbConnection _connection;
    private readonly DbTransaction _transaction;
    private readonly long _ingestedAt;
    private DbCommand? _upsert;
    private DbParameter[] _p = [];
    private readonly TouchedDays _touched = new();
    private readonly IReadOnlyDictionary<string, bool> _countsProxy;
    private string? _lastAccount;
    private bool? _lastChoice;
    private bool _committed;

    private LedgerTransaction(
        DbConnection connection, DbTransaction transaction, long batchId, DateTimeOffset now, IReadOnlyDictionary<string, bool> countsProxy)
    {
        _connection = connection;
        _transaction = transaction;
        _countsProxy = countsProxy;
        BatchId = batchId;
        Now = now;
        _ingestedAt = now.ToUnixTimeSeconds();
    }

    public long BatchId { get; }
    public DateTimeOffset Now { get; }
    public long RecordsWritten { get; private set; }
    public DbConnection Connection => _connection;
    public DbTransaction Transaction => _transaction;

    /// <param name="kind">pull, import or demo.</param>
    /// <param name="origin">The endpoint or file this batch reads, for provenance.</param>
    public static async Task<LedgerTransaction> BeginAsync(
        Database database, string kind, string? account, string? origin, DateTimeOffset now, CancellationToken ct)
    {
        var connection = await database.OpenAsync(ct);
        try
        {
            // Take the write lock now, so two writers queue instead of failing at commit.
            var transaction = await Sql.BeginWriteAsync(connection, ct);
            var batchId = await connection.ExecuteScalarAsync<long>(
                "INSERT INTO ingest_batches (kind, account, origin, started_at) VALUES (@kind, @account, @origin, @at) RETURNING id",
                new { kind, account, origin, at = now.ToUnixTimeSeconds() }, transaction);
            var countsProxy = (await connection.QueryAsync<(string Account, string UsageFrom)>(
                    "SELECT account, usage_from FROM account_usage_sources", transaction: transaction))
                .ToDictionary(a => a.Account, a => a.UsageFrom == UsageSourceRepository.Proxy, StringComparer.Ordinal);
            return new LedgerTransaction(connection, transaction, batchId, now, countsProxy);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Writes one record. One prepared command is reused for the whole batch (both dialects): no per-row SQL or parameter objects.</summary>
    public void Upsert(UsageRecord r)
    {
        if (_upsert is null)
            Prepare();
        var p = _p;
        p[0].Value = r.Account;
        p[1].Value = r.Provider.ToWire();
        p[2].Value = r.Workspace;
        p[3].Value = r.KeyId;
        p[4].Value = (object?)r.KeyFingerprint ?? DBNull.Value;
        p[5].Value = r.Model;
        p[6].Value = r.Category;
        var bucketStart = r.BucketStart.ToUnixTimeSeconds();
        p[7].Value = bucketStart;
        p[8].Value = r.BucketWidth.ToWire();
        p[9].Value = r.Tokens.Input;
        p[10].Value = r.Tokens.CachedInput;
        p[11].Value = r.Tokens.CacheWrite;
        p[12].Value = r.Tokens.Output;
        p[13].Value = r.Tokens.Reasoning;
        p[14].Value = r.Requests;
        p[15].Value = r.Units;
        p[16].Value = r.Unit;
        p[17].Value = r.Cost is { } cost ? MoneyUnits.ToMicros(cost) : DBNull.Value;
        p[18].Value = CurrencyText(r.Currency);
        p[19].Value = CostSourceText(r.CostSource);
        p[20].Value = r.EstimatedCost is { } estimate ? MoneyUnits.ToMicros(estimate) : DBNull.Value;
        p[21].Value = SourceText(r.Source);
        p[22].Value = _ingestedAt;
        p[23].Value = BatchId;
        p[24].Value = (object?)r.Raw ?? DBNull.Value;
        p[25].Value = IsCounted(r) ? 1L : 0L;
        _upsert!.ExecuteNonQuery();
        _touched.Add(r.Account, bucketStart);
        RecordsWritten++;
    }

    /// <summary>
    /// Counted when the record's source is the one its account counts: the proxy's rows where the account counts the
    /// proxy, every other source (API pulls, imports, the demo's fakes) where it counts the provider's API. An account
    /// with no recorded choice (not configured here) keeps what the record says, counted by default.
    /// </summary>
    private bool IsCounted(UsageRecord r)
    {
        // Consecutive records mostly share their account: its choice is looked up once.
        if (!ReferenceEquals(r.Account, _lastAccount))
        {
            _lastAccount = r.Account;
            _lastChoice = _countsProxy.TryGetValue(r.Account, out var countsProxy) ? countsProxy : null;
        }

        return _lastChoice is { } proxy ? (r.Source == RecordSource.Proxy) == proxy : r.Counted ?? true;
    }

    /// <summary>
    /// Removes the account's records in [<paramref name="from"/>, <paramref name="to"/>) that this batch did not write:
    /// buckets the provider no longer reports, or rows of an earlier import of the same window. Metered proxy rows are
    /// another source of the same account and are never replaced by a pull or import.
    /// </summary>
    public Task<int> ReplaceWindowAsync(string account, DateTimeOffset from, DateTimeOffset to)
    {
        var window = new { account, from = from.ToUnixTimeSeconds(), to = to.ToUnixTimeSeconds(), batch = BatchId };
        _touched.AddWindow(account, window.from, window.to);
        return _connection.ExecuteAsync(
            """
            DELETE FROM usage_records
            WHERE account = @account AND bucket_start >= @from AND bucket_start < @to AND batch_id <> @batch AND source <> 'proxy'
            """,
            window,
            _transaction);
    }

    /// <summary>Brings the daily rollup of the touched days up to date, then commits: the ledger and its rollup change together.</summary>
    public async Task CommitAsync(CancellationToken ct)
    {
        foreach (var (account, from, to) in _touched.Ranges())
            await UsageRollup.RefreshAsync(_connection, _transaction, account, from, to, ct);
        await _transaction.CommitAsync(ct);
        _committed = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_committed)
            await _transaction.RollbackAsync();
        if (_upsert is not null)
            await _upsert.DisposeAsync();
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }

    private void Prepare()
    {
        _upsert = _connection.CreateCommand();
        _upsert.Transaction = _transaction;
        _upsert.CommandText = UpsertSql;
        _p = [.. Columns.Select(c => Sql.Parameter(_upsert, c.Name, c.Type))];
        _upsert.Prepare();
    }

    // The upsert's parameters, in the order Upsert sets them.
    private static readonly (string Name, DbType Type)[] Columns =
    [
        ("account", DbType.String), ("provider", DbType.String), ("workspace", DbType.String), ("key_id", DbType.String),
        ("key_fingerprint", DbType.String), ("model", DbType.String), ("category", DbType.String), ("bucket_start", DbType.Int64),
        ("bucket_width", DbType.String), ("input_tokens", DbType.Int64), ("cached_input_tokens", DbType.Int64),
        ("cache_write_tokens", DbType.Int64), ("output_tokens", DbType.Int64), ("reasoning_tokens", DbType.Int64), ("requests", DbType.Int64),
        ("units", DbType.Int64), ("unit", DbType.String), ("cost_micros", DbType.Int64), ("currency", DbType.String),
        ("cost_source", DbType.String), ("estimated_cost_micros", DbType.Int64), ("source", DbType.String), ("ingested_at", DbType.Int64),
        ("batch_id", DbType.Int64), ("raw", DbType.String), ("counted", DbType.Int64),
    ];

    // Cached strings: the hot path must not allocate a new string per row for an enum.
    private static readonly string[] CurrencyTexts = [.. Enum.GetValues<Currency>().Select(c => c.ToString())];
    private static readonly string[] CostSourceTexts = [.. Enum.GetValues<CostSource>().Select(c => SnakeCase.Of(c))];
    private static readonly string[] SourceTexts = [.. Enum.GetValues<RecordSource>().Select(c => SnakeCase.Of(c))];

    private static string CurrencyText(Currency c) => CurrencyTexts[(int)c];
    private static string CostSourceText(CostSource c) => CostSourceTexts[(int)c];
    private static string SourceText(RecordSource s) => SourceTexts[(int)s];
}
