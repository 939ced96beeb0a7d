using System.Data.Common;
using System.Runtime.CompilerServices;
using Dapper;
using Microsoft.Extensions.Options;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Ledger;

/// <summary>
/// What <c>monitor export</c> writes: usage (streamed, any size), alerts, keys, models and pull runs.
/// Column names are snake_case and documented in the README; times are ISO 8601 UTC, money invariant decimals.
/// </summary>
/// <param name="options">The unmetered-usage settings (completed days, tolerance); defaults when not given.</param>
/// <param name="clock">What "now" is for completed days; the system clock when not given.</param>
public sealed class LedgerExporter(Database database, PriceCatalog catalog, IOptions<MonitorOptions>? options = null, TimeProvider? clock = null)
{
    public static IReadOnlyList<string> Kinds { get; } = ["usage", "alerts", "keys", "models", "runs", "reconciliation"];

    public static IReadOnlyList<string> AlertColumns { get; } =
        ["id", "kind", "severity", "status", "account", "workspace", "key_id", "model", "title", "detail", "raised_at", "sent_at", "dedup_key"];

    public static IReadOnlyList<string> KeyColumns { get; } =
        ["account", "key_id", "name", "kind", "workspace", "fingerprint", "last_four", "owner", "status", "created_at", "expires_at", "last_used_at", "first_seen_at", "last_seen_at", "source"];

    public static IReadOnlyList<string> ModelColumns { get; } =
        ["account", "provider", "model", "aliases", "shutdown_at", "replacement", "usage_records", "last_used_at", "currency", "priced", "input_per_million", "output_per_million"];

    public static IReadOnlyList<string> ReconciliationColumns { get; } =
    [
        "day", "account", "provider", "model", "currency", "reported_cost", "estimated_cost", "gap", "gap_percent", "records", "records_without_estimate",
        "comparison", "reported_tokens", "metered_tokens", "gap_tokens", // added later: appended, so older readers keep their column positions
    ];

    public static IReadOnlyList<string> RunColumns { get; } =
        ["id", "account", "endpoint", "window_start", "window_end", "records", "started_at", "duration_ms", "outcome", "error"];

    /// <summary>Writes one export; returns the number of rows.</summary>
    public Task<long> ExportAsync(string kind, ExportFormat format, TextWriter output, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct) =>
        kind switch
        {
            "usage" => TableWriter.WriteAsync(output, format, UsageFields.All, UsageRows(from, to, ct), ct),
            "alerts" => TableWriter.WriteAsync(output, format, AlertColumns, Rows(
                """
                SELECT id, kind, severity, status, account, workspace, key_id, model, title, detail, raised_at, sent_at, dedup_key
                FROM alerts WHERE raised_at >= @from AND raised_at < @to ORDER BY raised_at, id
                """, from, to, [10, 11], ct), ct),
            "keys" => TableWriter.WriteAsync(output, format, KeyColumns, Rows(
                """
                SELECT account, key_id, name, kind, workspace, fingerprint, last_four, owner, status,
                       created_at, expires_at, last_used_at, first_seen_at, last_seen_at, source
                FROM api_keys ORDER BY account, key_id
                """, null, null, [9, 10, 11, 12, 13], ct), ct),
            "models" => TableWriter.WriteAsync(output, format, ModelColumns, ModelRows(ct), ct),
            "reconciliation" => TableWriter.WriteAsync(output, format, ReconciliationColumns, ReconciliationRows(from, to, ct), ct),
            "runs" => TableWriter.WriteAsync(output, format, RunColumns, Rows(
                """
                SELECT id, account, endpoint, window_start, window_end, records, started_at, duration_ms, outcome, error
                FROM pull_runs WHERE started_at >= @from AND started_at < @to ORDER BY started_at, id
                """, from, to, [3, 4, 6], ct), ct),
            _ => throw new BadInputException($"export: '{kind}' is not one of {string.Join(", ", Kinds)}"),
        };

    private async IAsyncEnumerable<object?[]> UsageRows(DateTimeOffset? from, DateTimeOffset? to, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var reader = await connection.ExecuteReaderAsync(
            """
            SELECT bucket_start, bucket_width, provider, account, workspace, key_id, key_fingerprint, model,
                   input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, requests,
                   cost_micros, currency, cost_source, estimated_cost_micros, source, ingested_at, category, units, unit, counted
            FROM usage_records
            WHERE bucket_start >= @from AND bucket_start < @to
            ORDER BY bucket_start, account, bucket_width, workspace, key_id, model, category
            """,
            Window(from, to));
        while (await reader.ReadAsync(ct))
        {
            var row = new object?[24];
            row[0] = Time(reader.GetInt64(0));
            for (var i = 1; i < 8; i++)
                row[i] = reader.IsDBNull(i) ? null : reader.GetString(i);
            for (var i = 8; i < 14; i++)
                row[i] = reader.GetInt64(i);
            row[14] = Money(reader, 14);
            row[15] = reader.GetString(15);
            row[16] = reader.GetString(16);
            row[17] = Money(reader, 17);
            row[18] = reader.GetString(18);
            row[19] = Time(reader.GetInt64(19));
            row[20] = reader.GetString(20);
            row[21] = reader.GetInt64(21);
            row[22] = reader.GetString(22);
            row[23] = reader.GetInt64(23);
            yield return row;
        }
    }

    private async IAsyncEnumerable<object?[]> ModelRows([EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        // Every model a provider lists or the ledger has used; usage without a price shows priced = false.
        var rows = await connection.QueryAsync<ModelRow>(
            """
            SELECT m.account, m.provider, m.model, m.aliases, m.shutdown_at, m.replacement,
                   u.records AS usage_records, u.last_used AS last_used_at, u.currency
            FROM models m
            LEFT JOIN (SELECT account, model, currency, COUNT(*) AS records, MAX(bucket_start) AS last_used
                       FROM usage_records WHERE counted = 1 GROUP BY account, model, currency) u
                   ON u.account = m.account AND u.model = m.model
            UNION ALL
            SELECT u.account, u.provider, u.model, '' AS aliases, NULL AS shutdown_at, NULL AS replacement,
                   COUNT(*) AS usage_records, MAX(u.bucket_start) AS last_used_at, u.currency
            FROM usage_records u
            WHERE u.counted = 1 AND NOT EXISTS (SELECT 1 FROM models m WHERE m.account = u.account AND m.model = u.model)
            GROUP BY u.account, u.provider, u.model, u.currency
            ORDER BY 1, 3
            """);
        foreach (var m in rows)
        {
            ct.ThrowIfCancellationRequested();
            _ = ProviderKinds.TryParse(m.Provider, out var kind);
            PriceEntry? price = null;
            Currency currency = default;
            var hasCurrency = m.Currency is not null && Currencies.TryParse(m.Currency, out currency);
            if (hasCurrency)
                price = catalog.Find(kind, m.Model, currency, DateTimeOffset.FromUnixTimeSeconds(m.Last_used_at ?? 0));
            yield return
            [
                m.Account, m.Provider, m.Model, m.Aliases, Time(m.Shutdown_at), m.Replacement,
                m.Usage_records ?? 0L, Time(m.Last_used_at), m.Currency,
                hasCurrency ? price is not null : null, price?.InputPerMillion, price?.OutputPerMillion,
            ];
        }
    }

    /// <summary>
    /// Per UTC day, account and model, two kinds of lines (<c>comparison</c>). <c>estimate</c>: the provider's reported
    /// cost beside our catalog estimate of the same records; the gap compares only records that have both, so a wrong
    /// price or a missing cache discount shows, and records the catalog cannot price are counted apart. <c>proxy</c>, for
    /// accounts seen through both sources on completed days: the provider's reported usage (reported_cost,
    /// reported_tokens) beside what the metering proxy metered (estimated_cost, metered_tokens); the gap is usage that did
    /// not go through the proxy, gap_percent its share of the provider's figure.
    /// </summary>
    private async IAsyncEnumerable<object?[]> ReconciliationRows(DateTimeOffset? from, DateTimeOffset? to, [EnumeratorCancellation] CancellationToken ct)
    {
        var lines = new List<(long Day, string Account, string Model, int Order, object?[] Row)>();
        await using (var connection = await database.OpenAsync(ct))
        {
            var rows = await connection.QueryAsync<(long Day, string Account, string Provider, string Model, string Currency, long Reported, long? ReportedPriced, long? Estimated, long Records, long Unestimated)>(
                """
                SELECT bucket_start - (bucket_start % 86400), account, provider, model, currency,
                       SUM(cost_micros),
                       SUM(CASE WHEN estimated_cost_micros IS NOT NULL THEN cost_micros END),
                       SUM(estimated_cost_micros),
                       COUNT(*),
                       SUM(CASE WHEN estimated_cost_micros IS NULL THEN 1 ELSE 0 END)
                FROM usage_records
                WHERE cost_source = 'reported' AND bucket_start >= @from AND bucket_start < @to AND counted = 1
                GROUP BY bucket_start - (bucket_start % 86400), account, provider, model, currency
                ORDER BY 1, 2, 4, 5
                """,
                Window(from, to));
            foreach (var r in rows)
            {
                decimal? gap = r.Estimated is { } e && r.ReportedPriced is { } p ? MoneyUnits.FromMicros(p - e) : null;
                decimal? percent = gap is { } g && r.Estimated is > 0 ? decimal.Round(g / MoneyUnits.FromMicros(r.Estimated.Value) * 100m, 2) : null;
                lines.Add((r.Day, r.Account, r.Model, 0,
                [
                    Time(r.Day), r.Account, r.Provider, r.Model, r.Currency, MoneyUnits.FromMicros(r.Reported),
                    r.Estimated is { } est ? MoneyUnits.FromMicros(est) : null, gap, percent, r.Records, r.Unestimated,
                    "estimate", null, null, null,
                ]));
            }
        }

        var settings = options?.Value.Alerts.Unmetered ?? new UnmeteredOptions();
        var now = (clock ?? TimeProvider.System).GetUtcNow();
        var providers = await ProvidersAsync(ct);
        var days = await new UsageSourceRepository(database, clock ?? TimeProvider.System).UnmeteredDaysAsync(
            from ?? DateTimeOffset.UnixEpoch, to ?? now, now, settings.SettleDelay, settings.ToRules(), ct);
        foreach (var day in days)
        {
            foreach (var l in day.Lines)
            {
                var gap = l.GapMicros is { } g ? MoneyUnits.FromMicros(g) : (decimal?)null;
                var basis = l.ReportedMicros is > 0 ? l.ReportedMicros.Value : 0;
                decimal? percent = l.GapMicros is { } gm && basis > 0 ? decimal.Round(gm * 100m / basis, 2)
                    : l.GapMicros is null && l.ReportedTokens > 0 ? decimal.Round(l.GapTokens * 100m / l.ReportedTokens, 2) : null;
                var day0 = day.Day.ToUnixTimeSeconds();
                lines.Add((day0, day.Account, l.Model, 1,
                [
                    Time(day0), day.Account, providers.GetValueOrDefault(day.Account, ""), l.Model, l.Currency,
                    l.ReportedMicros is { } rm ? MoneyUnits.FromMicros(rm) : null, l.MeteredMicros is { } mm ? MoneyUnits.FromMicros(mm) : null,
                    gap, percent, null, null, "proxy", l.ReportedTokens, l.MeteredTokens, l.GapTokens,
                ]));
            }
        }

        foreach (var line in lines.OrderBy(l => l.Day).ThenBy(l => l.Account, StringComparer.Ordinal)
                     .ThenBy(l => l.Model, StringComparer.Ordinal).ThenBy(l => l.Order))
        {
            ct.ThrowIfCancellationRequested();
            yield return line.Row;
        }
    }

    // The provider kind of each account, for the proxy lines (which sum over sources).
    private async Task<Dictionary<string, string>> ProvidersAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<(string Account, string Provider)>(new CommandDefinition(
                "SELECT account, MIN(provider) FROM usage_daily GROUP BY account", cancellationToken: ct)))
            .ToDictionary(p => p.Account, p => p.Provider, StringComparer.Ordinal);
    }

    private async IAsyncEnumerable<object?[]> Rows(
        string sql, DateTimeOffset? from, DateTimeOffset? to, int[] timeColumns, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var reader = await connection.ExecuteReaderAsync(sql, Window(from, to));
        while (await reader.ReadAsync(ct))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null
                    : Array.IndexOf(timeColumns, i) >= 0 ? Time(reader.GetInt64(i))
                    : reader.GetValue(i);
            }

            yield return row;
        }
    }

    private static object Window(DateTimeOffset? from, DateTimeOffset? to) => new
    {
        from = from?.ToUnixTimeSeconds() ?? long.MinValue,
        to = to?.ToUnixTimeSeconds() ?? long.MaxValue,
    };

    private static DateTimeOffset Time(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds);

    private static DateTimeOffset? Time(long? seconds) => seconds is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null;

    private static decimal? Money(DbDataReader reader, int i) => reader.IsDBNull(i) ? null : MoneyUnits.FromMicros(reader.GetInt64(i));

#pragma warning disable IDE1006, CA1707 // Dapper maps snake_case columns by name
    private sealed record ModelRow(
        string Account, string Provider, string Model, string Aliases, long? Shutdown_at, string? Replacement,
        long? Usage_records, long? Last_used_at, string? Currency);
#pragma warning restore IDE1006, CA1707
}
