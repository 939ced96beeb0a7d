using Dapper;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Providers;

namespace Monitor.Storage;

/// <summary>
/// Keeps the polls of month-to-date counters and rebuilds the ledger buckets of their months from them
/// (<see cref="MonthToDateIncrements"/>): the pull that brings a new poll writes the whole month again, so a month is
/// always exactly its polls' story and re-pulling never double-counts. Only a pull's <c>month</c> records are such
/// counters (Mistral rows without a date); its dated records pass through as they are.
/// </summary>
public static class MonthToDateLedger
{
    /// <summary>
    /// Stores the polls in <paramref name="pull"/> that changed something and returns the pull's dated records with
    /// every bucket derived for the counters it brought (a counter it no longer brings is gone from the month).
    /// </summary>
    public static async Task<IReadOnlyList<UsageRecord>> RecordAndDeriveAsync(LedgerTransaction tx, UsagePull pull, string account, ProviderKind provider, DateTimeOffset takenAt)
    {
        var records = pull.Records.Where(r => r.BucketWidth != BucketWidth.Month).ToList();
        var counters = pull.Records.Where(r => r.BucketWidth == BucketWidth.Month).ToList();
        foreach (var (month, _) in Providers.Windows.Months(pull.From, pull.To))
        {
            var history = (await tx.Connection.QueryAsync<SnapshotRow>(
                """
                SELECT workspace AS Workspace, model AS Model, category AS Category, taken_at AS TakenAt, input_tokens AS Input, cached_input_tokens AS Cached,
                       cache_write_tokens AS CacheWrite, output_tokens AS Output, reasoning_tokens AS Reasoning, requests AS Requests,
                       units AS Units, unit AS Unit, cost_micros AS Cost, estimated_cost_micros AS Estimate, currency AS Currency, raw AS Raw
                FROM usage_snapshots WHERE account = @account AND month_start = @month
                ORDER BY taken_at
                """, new { account, month = month.ToUnixTimeSeconds() }, tx.Transaction))
                .GroupBy(r => (r.Workspace, r.Model, r.Category))
                .ToDictionary(g => g.Key, g => g.ToList());

            var current = counters.Where(r => r.BucketStart == month).ToList();
            var brought = current.Select(r => (r.Workspace, r.Model, r.Category)).ToHashSet();
            foreach (var key in history.Keys.Where(k => !brought.Contains(k)).ToList())
                history.Remove(key);
            foreach (var poll in current)
            {
                var row = SnapshotRow.Of(poll, takenAt);
                var key = (poll.Workspace, poll.Model, poll.Category);
                if (!history.TryGetValue(key, out var polls))
                    history[key] = polls = [];
                if (polls.Count > 0 && polls[^1].ToSnapshot(month).SameCounts(row.ToSnapshot(month)))
                    continue;
                polls.Add(row);
                await tx.Connection.ExecuteAsync(
                    """
                    INSERT INTO usage_snapshots (account, month_start, workspace, model, category, taken_at, input_tokens, cached_input_tokens,
                        cache_write_tokens, output_tokens, reasoning_tokens, requests, units, unit, cost_micros, estimated_cost_micros, currency, raw)
                    VALUES (@account, @month, @Workspace, @Model, @Category, @TakenAt, @Input, @Cached, @CacheWrite, @Output, @Reasoning, @Requests,
                        @Units, @Unit, @Cost, @Estimate, @Currency, @Raw)
                    ON CONFLICT (account, month_start, workspace, model, category, taken_at) DO NOTHING
                    """,
                    new
                    {
                        account, month = month.ToUnixTimeSeconds(), row.Workspace, row.Model, row.Category, row.TakenAt, row.Input, row.Cached,
                        row.CacheWrite, row.Output, row.Reasoning, row.Requests, row.Units, row.Unit, row.Cost, row.Estimate, row.Currency, row.Raw,
                    },
                    tx.Transaction);
            }

            foreach (var ((workspace, model, category), polls) in history)
            {
                var latest = polls[^1];
                _ = Currencies.TryParse(latest.Currency, out var currency);
                foreach (var increment in MonthToDateIncrements.Derive([.. polls.Select(p => p.ToSnapshot(month))]))
                {
                    decimal? cost = increment.CostMicros is { } c ? MoneyUnits.FromMicros(c) : null;
                    decimal? estimate = increment.EstimatedMicros is { } e ? MoneyUnits.FromMicros(e) : null;
                    records.Add(new UsageRecord
                    {
                        Account = account,
                        Provider = provider,
                        Workspace = workspace,
                        Model = model,
                        Category = category,
                        BucketStart = increment.BucketStart,
                        BucketWidth = increment.Width,
                        Tokens = increment.Tokens,
                        Requests = increment.Requests,
                        Units = increment.Units,
                        Unit = latest.Unit,
                        Cost = cost ?? estimate,
                        Currency = currency,
                        CostSource = CostSources.Of(cost, estimate),
                        EstimatedCost = estimate,
                        Source = RecordSource.Api,
                        Raw = latest.Raw,
                    });
                }
            }
        }

        return records;
    }

    private sealed record SnapshotRow
    {
        public string Workspace { get; init; } = "";
        public string Model { get; init; } = "";
        public string Category { get; init; } = "";
        public long TakenAt { get; init; }
        public long Input { get; init; }
        public long Cached { get; init; }
        public long CacheWrite { get; init; }
        public long Output { get; init; }
        public long Reasoning { get; init; }
        public long Requests { get; init; }
        public long Units { get; init; }
        public string Unit { get; init; } = "";
        public long? Cost { get; init; }
        public long? Estimate { get; init; }
        public string Currency { get; init; } = "";
        public string? Raw { get; init; }

        public static SnapshotRow Of(UsageRecord r, DateTimeOffset takenAt) => new()
        {
            Workspace = r.Workspace,
            Model = r.Model,
            Category = r.Category,
            TakenAt = takenAt.ToUnixTimeSeconds(),
            Input = r.Tokens.Input,
            Cached = r.Tokens.CachedInput,
            CacheWrite = r.Tokens.CacheWrite,
            Output = r.Tokens.Output,
            Reasoning = r.Tokens.Reasoning,
            Requests = r.Requests,
            Units = r.Units,
            Unit = r.Unit,
            Cost = r.CostSource == CostSource.Reported && r.Cost is { } c ? MoneyUnits.ToMicros(c) : null,
            Estimate = r.EstimatedCost is { } e ? MoneyUnits.ToMicros(e) : null,
            Currency = r.Currency.ToString(),
            Raw = r.Raw,
        };

        public MonthToDateSnapshot ToSnapshot(DateTimeOffset month) => new()
        {
            Month = month,
            TakenAt = DateTimeOffset.FromUnixTimeSeconds(TakenAt),
            Tokens = new TokenCounts(Input, Cached, CacheWrite, Output, Reasoning),
            Requests = Requests,
            Units = Units,
            CostMicros = Cost,
            EstimatedMicros = Estimate,
        };
    }
}
