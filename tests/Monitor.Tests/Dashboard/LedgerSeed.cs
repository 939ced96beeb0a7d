using Dapper;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Storage;

namespace Monitor.Tests.Dashboard;

/// <summary>Small builders for ledger content: usage records, pull runs and spend limits.</summary>
internal static class LedgerSeed
{
    public static UsageRecord Day(
        string account, ProviderKind provider, string model, DateTimeOffset day, decimal? cost, Currency currency,
        string keyId = "", string? fingerprint = null, string workspace = "", long input = 1_000, long output = 200) => new()
    {
        Account = account,
        Provider = provider,
        Workspace = workspace,
        KeyId = keyId,
        KeyFingerprint = fingerprint,
        Model = model,
        BucketStart = day,
        BucketWidth = BucketWidth.Day,
        Tokens = new TokenCounts(input, input / 2, input / 10, output, output / 4),
        Requests = 10,
        Cost = cost,
        Currency = currency,
        CostSource = cost is null ? CostSource.Unpriced : CostSource.Reported,
        Source = RecordSource.Import,
    };

    public static async Task WriteAsync(Database database, DateTimeOffset now, params UsageRecord[] records)
    {
        await using var ledger = await LedgerTransaction.BeginAsync(database, "import", null, "test", now, CancellationToken.None);
        foreach (var record in records)
            ledger.Upsert(record);
        await ledger.CommitAsync(CancellationToken.None);
    }

    public static async Task PullRunAsync(Database database, string account, DateTimeOffset at, string outcome, string? error = null)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(
            """
            INSERT INTO pull_runs (account, endpoint, window_start, window_end, records, started_at, duration_ms, outcome, error)
            VALUES (@account, 'usage', NULL, NULL, 0, @at, 120, @outcome, @error)
            """,
            new { account, at = at.ToUnixTimeSeconds(), outcome, error });
    }

    public static async Task SpendLimitAsync(Database database, string account, Currency currency, decimal usage, decimal? limit, DateTimeOffset at)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(
            """
            INSERT INTO spend_limits (account, currency, usage_micros, limit_micros, limit_reached, payment_failure, fetched_at)
            VALUES (@account, @currency, @usage, @limit, 0, 0, @at)
            """,
            new
            {
                account,
                currency = currency.ToString(),
                usage = MoneyUnits.ToMicros(usage),
                limit = limit is { } l ? MoneyUnits.ToMicros(l) : (long?)null,
                at = at.ToUnixTimeSeconds(),
            });
    }
}
