using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Monitor.Checks;
using Monitor.Hosting;
using Monitor.Storage;
using static System.FormattableString;

namespace Monitor.Benchmarks;

/// <summary>
/// <c>monitor check</c> over 1,000 budgets on a ledger of 5 million hourly records (target: under 2 s and 300 MB).
/// The ledger is generated inside the database (a recursive CTE, the same SQL on SQLite and PostgreSQL), so building it
/// takes seconds, not minutes. Figures: the
/// budget evaluation alone, then a whole first check (every evaluator, mail composed into the pickup directory) and
/// a second check right after (which must raise nothing).
/// </summary>
public static class CheckBenchmark
{
    private const int Accounts = 10;
    private const int KeysPerAccount = 20;
    private const int ModelsPerKey = 12;
    private const int Budgets = 1_000;

    public sealed record Result(long Records, TimeSpan Build, TimeSpan BudgetsCold, TimeSpan Budgets, long BudgetsPeak, TimeSpan FirstCheck, long FirstPeak, int Raised, TimeSpan SecondCheck, int RaisedAgain, string FirstSplit, string SecondSplit);

    /// <param name="postgres">A PostgreSQL server to run on (see <see cref="BenchLedger"/>); null: SQLite.</param>
    public static async Task<Result> RunAsync(long records, CancellationToken ct, string? postgres = null)
    {
        using var ledger = await BenchLedger.CreateAsync(ct, postgres);
        var now = new DateTimeOffset(2026, 11, 22, 15, 30, 0, TimeSpan.Zero);
        var hours = (int)(records / (Accounts * KeysPerAccount * ModelsPerKey));
        var build = Stopwatch.StartNew();
        await FillAsync(ledger, now, hours, ct);
        build.Stop();
        var count = await CountAsync(ledger, ct);

        var folder = Directory.CreateTempSubdirectory("monitor-bench-check-").FullName;
        try
        {
            await using var services = Services(ledger.Settings, Path.Combine(folder, "pickup"), now);
            GC.Collect();
            var cold = Stopwatch.StartNew();
            await services.GetRequiredService<BudgetEvaluator>().StatusesAsync(now, ct); // first run: JIT and a cold page cache
            cold.Stop();
            GC.Collect();
            var budgets = await MeasureAsync(() => services.GetRequiredService<BudgetEvaluator>().EvaluateAsync(new CheckContext(now, null), ct));
            GC.Collect();
            var first = await MeasureAsync(() => services.GetRequiredService<CheckService>().RunAsync(now, send: true, ct));
            var second = Stopwatch.StartNew();
            var again = await services.GetRequiredService<CheckService>().RunAsync(now.AddMinutes(5), send: true, ct);
            second.Stop();
            return new Result(count, build.Elapsed, cold.Elapsed, budgets.Elapsed, budgets.Peak, first.Elapsed, first.Peak, first.Value.Raised, second.Elapsed, again.Raised, Split(first.Value), Split(again));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Split(CheckResult r) =>
        string.Join(", ", r.Durations.Select(d => Invariant($"{d.Key} {d.Value.TotalSeconds:F2} s")));

    private static async Task<(T Value, TimeSpan Elapsed, long Peak)> MeasureAsync<T>(Func<Task<T>> run)
    {
        using var memory = new MemorySampler();
        var clock = Stopwatch.StartNew();
        var value = await run();
        clock.Stop();
        memory.Stop();
        return (value, clock.Elapsed, memory.PeakWorkingSet);
    }

    private static ServiceProvider Services(IReadOnlyDictionary<string, string?> storage, string pickup, DateTimeOffset now)
    {
        var values = new Dictionary<string, string?>(storage)
        {
            ["Monitor:Alerts:Email:PickupDirectory"] = pickup,
            ["Monitor:Alerts:Email:To:0"] = "finops@example.com",
        };
        var periods = new[] { "Month", "Month", "Month", "Week", "Day", "Quarter", "Rolling", "Month", "Week", "Month" };
        for (var i = 0; i < Budgets; i++)
        {
            var account = i % Accounts;
            var key = i / Accounts % KeysPerAccount;
            var p = $"Monitor:Budgets:{i}:";
            values[p + "Name"] = Invariant($"budget-{i:D4}");
            values[p + "Scope:Account"] = Invariant($"acct-{account}");
            // A mix of scopes: accounts, keys, key and model, models across an account.
            if (i % 4 is 1 or 2)
                values[p + "Scope:KeyId"] = Invariant($"key-{account}-{key}");
            if (i % 4 is 2 or 3)
                values[p + "Scope:Model"] = Invariant($"model-{i % ModelsPerKey}");
            values[p + "Amount"] = Invariant($"{(i % 4 == 0 ? 20_000 : 300) + (i % 97)}");
            values[p + "Currency"] = account % 2 == 0 ? "USD" : "EUR";
            values[p + "Period"] = periods[i % periods.Length];
            values[p + "TimeZone"] = i % 3 == 0 ? "Europe/Paris" : "America/New_York";
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return new ServiceCollection()
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Error))
            .AddMonitorCore(configuration)
            .AddSingleton<TimeProvider>(new FixedClock(now))
            .BuildServiceProvider();
    }

    // Hourly records for every account x key x model up to now, in primary-key order, generated by SQLite itself.
    private static async Task FillAsync(BenchLedger ledger, DateTimeOffset now, int hours, CancellationToken ct)
    {
        await using var c = await ledger.Database.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var start = now.ToUnixTimeSeconds() / 3600 * 3600 - ((long)hours * 3600);
        for (var a = 0; a < Accounts; a++)
        {
            await c.ExecuteAsync(
                """
                WITH RECURSIVE h(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM h WHERE i + 1 < @hours),
                     k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i + 1 < @keys),
                     m(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM m WHERE i + 1 < @models)
                INSERT INTO usage_records (account, provider, workspace, key_id, model, bucket_start, bucket_width, input_tokens,
                    cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, requests, cost_micros, currency,
                    cost_source, source, ingested_at, batch_id)
                SELECT @account, 'openai', 'proj-' || (k.i % 4), 'key-' || @a || '-' || k.i, 'model-' || m.i, @start + h.i * 3600, '1h',
                       1000 + (h.i % 24) * 100, 0, 0, 400, 0, 5,
                       (20000 + (h.i % 24) * 3000 + (k.i * 977 + m.i * 131 + h.i * 7) % 5000), @currency, 'estimated', 'import', @start + h.i * 3600, 0
                FROM h CROSS JOIN k CROSS JOIN m
                ORDER BY 6, 3, 4, 5
                """,
                new { hours, keys = KeysPerAccount, models = ModelsPerKey, account = $"acct-{a}", a, start, currency = a % 2 == 0 ? "USD" : "EUR" },
                tx);
        }

        await tx.CommitAsync(ct);
        // Generated in SQL, past the ledger transaction: build each account's daily rollup as a commit would.
        await using (var refresh = await c.BeginTransactionAsync(ct))
        {
            for (var a = 0; a < Accounts; a++)
                await UsageRollup.RefreshAsync(c, refresh, $"acct-{a}", start / 86_400 * 86_400, (start / 86_400 * 86_400) + ((hours / 24 + 2) * 86_400L), ct);
            await refresh.CommitAsync(ct);
        }
    }

    private static async Task<long> CountAsync(BenchLedger ledger, CancellationToken ct)
    {
        await using var c = await ledger.Database.OpenAsync(ct);
        return await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM usage_records");
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    public static string Describe(Result r) =>
        Invariant($"check, {Budgets:N0} budgets on {r.Records:N0} hourly records: budgets {r.Budgets.TotalSeconds:F2} s (peak working set {r.BudgetsPeak / 1_048_576} MB; first, cold run {r.BudgetsCold.TotalSeconds:F2} s); ")
        + Invariant($"whole first check {r.FirstCheck.TotalSeconds:F2} s (peak {r.FirstPeak / 1_048_576} MB, {r.Raised:N0} alerts); second check {r.SecondCheck.TotalSeconds:F2} s, {r.RaisedAgain} new; ledger built in {r.Build.TotalSeconds:F0} s")
        + Invariant($"\n  first check by evaluator: {r.FirstSplit}\n  second check by evaluator: {r.SecondSplit}");
}
