using System.Runtime.CompilerServices;
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
    private readonly ExportRepository _export = new(database);

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
        "comparison", "reported_tokens", "metered_tokens", "gap_tokens", "slice", // added later: appended, so older readers keep their column positions
    ];

    public static IReadOnlyList<string> RunColumns { get; } =
        ["id", "account", "endpoint", "window_start", "window_end", "records", "started_at", "duration_ms", "outcome", "error"];

    /// <summary>Writes one export; returns the number of rows.</summary>
    public Task<long> ExportAsync(string kind, ExportFormat format, TextWriter output, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct) =>
        kind switch
        {
            "usage" => TableWriter.WriteAsync(output, format, UsageFields.All, UsageRows(from, to, ct), ct),
            "alerts" => TableWriter.WriteAsync(output, format, AlertColumns, Times(_export.AlertsAsync(From(from), To(to), ct), [10, 11]), ct),
            "keys" => TableWriter.WriteAsync(output, format, KeyColumns, Times(_export.KeysAsync(ct), [9, 10, 11, 12, 13]), ct),
            "models" => TableWriter.WriteAsync(output, format, ModelColumns, ModelRows(ct), ct),
            "reconciliation" => TableWriter.WriteAsync(output, format, ReconciliationColumns, ReconciliationRows(from, to, ct), ct),
            "runs" => TableWriter.WriteAsync(output, format, RunColumns, Times(_export.RunsAsync(From(from), To(to), ct), [3, 4, 6]), ct),
            _ => throw new BadInputException($"export: '{kind}' is not one of {string.Join(", ", Kinds)}"),
        };

    // Times and money as the export shows them: ISO 8601 UTC and invariant decimals.
    private async IAsyncEnumerable<object?[]> UsageRows(DateTimeOffset? from, DateTimeOffset? to, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var row in _export.UsageAsync(From(from), To(to), ct))
        {
            row[0] = Time((long)row[0]!);
            row[14] = Money(row[14]);
            row[17] = Money(row[17]);
            row[19] = Time((long)row[19]!);
            yield return row;
        }
    }

    private async IAsyncEnumerable<object?[]> ModelRows([EnumeratorCancellation] CancellationToken ct)
    {
        // Every model a provider lists or the ledger has used; usage without a price shows priced = false.
        foreach (var m in await _export.ModelsAsync(ct))
        {
            ct.ThrowIfCancellationRequested();
            _ = ProviderKinds.TryParse(m.Provider, out var kind);
            PriceEntry? price = null;
            Currency currency = default;
            var hasCurrency = m.Currency is not null && Currencies.TryParse(m.Currency, out currency);
            if (hasCurrency)
                price = catalog.Find(kind, m.Model, currency, DateTimeOffset.FromUnixTimeSeconds(m.LastUsedAt ?? 0));
            yield return
            [
                m.Account, m.Provider, m.Model, m.Aliases, Time(m.ShutdownAt), m.Replacement,
                m.UsageRecords ?? 0L, Time(m.LastUsedAt), m.Currency,
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
    /// not go through the proxy, gap_percent its share of the provider's figure. <c>slice</c> sets apart the parts of the
    /// bill no key, model or workspace explains (<c>unattributed</c>, <c>outside workspaces</c>) and BYOK upstream cost.
    /// </summary>
    private async IAsyncEnumerable<object?[]> ReconciliationRows(DateTimeOffset? from, DateTimeOffset? to, [EnumeratorCancellation] CancellationToken ct)
    {
        var lines = new List<(long Day, string Account, string Model, int Order, object?[] Row)>();
        var rows = await _export.ReportedAgainstEstimatedAsync(From(from), To(to), ct);
        foreach (var r in rows)
        {
            decimal? gap = r.Estimated is { } e && r.ReportedPriced is { } p ? MoneyUnits.FromMicros(p - e) : null;
            decimal? percent = gap is { } g && r.Estimated is > 0 ? decimal.Round(g / MoneyUnits.FromMicros(r.Estimated.Value) * 100m, 2) : null;
            lines.Add((r.Day, r.Account, r.Model, 0,
            [
                Time(r.Day), r.Account, r.Provider, r.Model, r.Currency, MoneyUnits.FromMicros(r.Reported),
                r.Estimated is { } est ? MoneyUnits.FromMicros(est) : null, gap, percent, r.Records, r.Unestimated,
                "estimate", null, null, null, r.Slice,
            ]));
        }

        var settings = options?.Value.Alerts.Unmetered ?? new UnmeteredOptions();
        var now = (clock ?? TimeProvider.System).GetUtcNow();
        var providers = await _export.ProvidersAsync(ct);
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
                    gap, percent, null, null, "proxy", l.ReportedTokens, l.MeteredTokens, l.GapTokens, "",
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

    private static long From(DateTimeOffset? from) => from?.ToUnixTimeSeconds() ?? long.MinValue;

    private static long To(DateTimeOffset? to) => to?.ToUnixTimeSeconds() ?? long.MaxValue;

    private static async IAsyncEnumerable<object?[]> Times(IAsyncEnumerable<object?[]> rows, int[] timeColumns)
    {
        await foreach (var row in rows)
        {
            foreach (var i in timeColumns)
                row[i] = row[i] is long seconds ? Time(seconds) : row[i];
            yield return row;
        }
    }

    private static DateTimeOffset Time(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds);

    private static DateTimeOffset? Time(long? seconds) => seconds is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null;

    private static decimal? Money(object? micros) => micros is long m ? MoneyUnits.FromMicros(m) : null;
}
