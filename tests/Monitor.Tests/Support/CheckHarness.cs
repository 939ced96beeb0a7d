using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Monitor.Checks;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Tests.Support;

/// <summary>
/// The product's check path (evaluators, raiser, outbox, mail) on a temporary ledger (SQLite or PostgreSQL) and a fake clock, with
/// configuration in memory. <see cref="RestartAsync"/> throws the services away and builds new ones on the same
/// file: what survives is what the database remembers.
/// </summary>
public sealed class CheckHarness : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings;
    private ServiceProvider _services;

    private CheckHarness(TempLedger ledger, Dictionary<string, string?> settings)
    {
        Ledger = ledger;
        _settings = settings;
        _services = Build();
    }

    public TempLedger Ledger { get; }
    public CheckService Checks => Get<CheckService>();
    public string Pickup => Path.Combine(Ledger.Folder, "pickup");

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public static CheckHarness Start(DateTimeOffset now, IDictionary<string, string?>? settings = null, SqlDialect dialect = SqlDialect.Sqlite)
    {
        var ledger = new TempLedger(now, dialect);
        var values = new Dictionary<string, string?>(ledger.Settings)
        {
            ["Monitor:Alerts:Email:PickupDirectory"] = Path.Combine(ledger.Folder, "pickup"),
            ["Monitor:Alerts:Email:To:0"] = "finops@example.com",
            ["Monitor:Alerts:Email:RetryBaseDelay"] = "00:01:00",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
            values[k] = v;
        return new CheckHarness(ledger, values);
    }

    /// <summary>Changes a setting for the next <see cref="RestartAsync"/> (a budget raised mid-period, SMTP moved).</summary>
    public void Set(string key, string? value) => _settings[key] = value;

    public async Task RestartAsync()
    {
        await _services.DisposeAsync();
        _services = Build();
    }

    /// <summary>Hourly usage rows: one per hour from <paramref name="from"/> for <paramref name="hours"/> hours, cost from the hour's index.</summary>
    public async Task AddHourlyAsync(
        string account, string key, string model, string currency, DateTimeOffset from, int hours, Func<int, decimal> cost, string workspace = "")
    {
        await using var c = await Ledger.Database.OpenAsync(CancellationToken.None);
        await using var tx = await Sql.BeginWriteAsync(c, CancellationToken.None);
        for (var i = 0; i < hours; i++)
        {
            await c.ExecuteAsync(
                """
                INSERT INTO usage_records (account, provider, workspace, key_id, model, bucket_start, bucket_width, input_tokens,
                    cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, requests, cost_micros, currency,
                    cost_source, source, ingested_at, batch_id)
                VALUES (@account, 'openai', @workspace, @key, @model, @start, '1h', 1000, 0, 0, 500, 0, 3, @micros, @currency,
                    'estimated', 'import', @start, 0)
                ON CONFLICT (account, bucket_start, bucket_width, workspace, key_id, model, category) DO UPDATE SET cost_micros = excluded.cost_micros
                """,
                new
                {
                    account, workspace, key, model, currency, start = from.AddHours(i).ToUnixTimeSeconds(),
                    micros = (long)(cost(i) * 1_000_000m),
                },
                tx);
        }

        // Raw rows bypass LedgerTransaction: bring the daily rollup (which the budgets read) up to date as its commit would.
        await UsageRollup.RefreshAsync(c, tx, account, UsageRollup.DayOf(from.ToUnixTimeSeconds()), UsageRollup.DayOf(from.AddHours(hours).ToUnixTimeSeconds()) + UsageRollup.Day, CancellationToken.None);
        await tx.CommitAsync();
    }

    /// <summary>
    /// A second node on the same ledger and configuration: services of their own (no in-process state shared), for tests
    /// of what the database alone must guarantee when two nodes run the same work at once. The caller disposes it.
    /// </summary>
    public ServiceProvider StartSecondNode() => Build();

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Ledger.Dispose();
    }

    private ServiceProvider Build()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(_settings).Build();
        return new ServiceCollection()
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddMonitorCore(configuration)
            .AddSingleton<TimeProvider>(Ledger.Clock)
            .BuildServiceProvider();
    }
}
