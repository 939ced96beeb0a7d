using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Monitor.Core;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;

namespace Monitor.Benchmarks;

/// <summary>
/// Figure 1: the floor the repository is measured against. The same records, into the same migrated
/// <c>usage_records</c> table, through ONE prepared plain INSERT whose parameters are reused, one transaction
/// per 50,000 rows. It binds the same column values the repository binds (same conversions), nothing more.
/// </summary>
public static class RawSqliteBaseline
{
    private const int RowsPerTransaction = 50_000;

    private const string InsertSql = """
        INSERT INTO usage_records (account, provider, workspace, key_id, key_fingerprint, model, bucket_start, bucket_width,
            input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, requests,
            cost_micros, currency, cost_source, estimated_cost_micros, source, ingested_at, batch_id, raw)
        VALUES ($account, $provider, $workspace, $key_id, $key_fingerprint, $model, $bucket_start, $bucket_width,
            $input_tokens, $cached_input_tokens, $cache_write_tokens, $output_tokens, $reasoning_tokens, $requests,
            $cost_micros, $currency, $cost_source, $estimated_cost_micros, $source, $ingested_at, $batch_id, $raw)
        """;

    private static readonly string[] Names =
    [
        "account", "provider", "workspace", "key_id", "key_fingerprint", "model", "bucket_start", "bucket_width",
        "input_tokens", "cached_input_tokens", "cache_write_tokens", "output_tokens", "reasoning_tokens", "requests",
        "cost_micros", "currency", "cost_source", "estimated_cost_micros", "source", "ingested_at", "batch_id", "raw",
    ];

    private static readonly string[] CurrencyTexts = [.. Enum.GetValues<Currency>().Select(c => c.ToString())];
    private static readonly string[] CostSourceTexts = [.. Enum.GetValues<CostSource>().Select(c => SnakeCase.Of(c))];
    private static readonly string[] SourceTexts = [.. Enum.GetValues<RecordSource>().Select(c => SnakeCase.Of(c))];

    /// <returns>Rows per second.</returns>
    public static async Task<double> RunAsync(UsageRecord[] records, CancellationToken ct)
    {
        using var ledger = await BenchLedger.CreateAsync(ct);
        var ingestedAt = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds();
        const long batchId = 1;

        var watch = Stopwatch.StartNew();
        await using (var connection = (SqliteConnection)await ledger.Database.OpenAsync(ct))
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = InsertSql;
            var p = new SqliteParameter[Names.Length];
            for (var i = 0; i < Names.Length; i++)
                p[i] = insert.Parameters.Add(new SqliteParameter("$" + Names[i], null));

            SqliteTransaction? transaction = null;
            for (var i = 0; i < records.Length; i++)
            {
                if (i % RowsPerTransaction == 0)
                {
                    transaction?.Commit();
                    transaction?.Dispose();
                    transaction = connection.BeginTransaction(deferred: false);
                    insert.Transaction = transaction;
                    if (i == 0)
                        insert.Prepare();
                }

                var r = records[i];
                p[0].Value = r.Account;
                p[1].Value = r.Provider.ToWire();
                p[2].Value = r.Workspace;
                p[3].Value = r.KeyId;
                p[4].Value = (object?)r.KeyFingerprint ?? DBNull.Value;
                p[5].Value = r.Model;
                p[6].Value = r.BucketStart.ToUnixTimeSeconds();
                p[7].Value = r.BucketWidth.ToWire();
                p[8].Value = r.Tokens.Input;
                p[9].Value = r.Tokens.CachedInput;
                p[10].Value = r.Tokens.CacheWrite;
                p[11].Value = r.Tokens.Output;
                p[12].Value = r.Tokens.Reasoning;
                p[13].Value = r.Requests;
                p[14].Value = r.Cost is { } cost ? MoneyUnits.ToMicros(cost) : DBNull.Value;
                p[15].Value = CurrencyTexts[(int)r.Currency];
                p[16].Value = CostSourceTexts[(int)r.CostSource];
                p[17].Value = r.EstimatedCost is { } estimate ? MoneyUnits.ToMicros(estimate) : DBNull.Value;
                p[18].Value = SourceTexts[(int)r.Source];
                p[19].Value = ingestedAt;
                p[20].Value = batchId;
                p[21].Value = (object?)r.Raw ?? DBNull.Value;
                insert.ExecuteNonQuery();
            }

            transaction?.Commit();
            transaction?.Dispose();
        }

        watch.Stop();
        return records.Length / watch.Elapsed.TotalSeconds;
    }
}
