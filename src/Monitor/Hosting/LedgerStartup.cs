using Microsoft.Extensions.Options;
using Monitor.Storage;

namespace Monitor.Hosting;

/// <summary>
/// What every verb does before it touches the ledger, in one place: apply the migrations, record each configured
/// account's counted usage source, re-marking the rows of an account whose <c>UsageFrom</c> changed (see
/// <see cref="UsageSourceRepository"/>), and write the declared keys (Monitor:Keys:Declared) to api_keys.
/// </summary>
public static partial class LedgerStartup
{
    public static Task<LedgerStartupResult> PrepareAsync(IServiceProvider services, CancellationToken ct) =>
        PrepareAsync(
            services.GetRequiredService<Database>(), services.GetRequiredService<IOptions<MonitorOptions>>().Value,
            services.GetRequiredService<TimeProvider>(), services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LedgerStartup).FullName!), ct);

    public static async Task<LedgerStartupResult> PrepareAsync(
        Database database, MonitorOptions options, TimeProvider clock, ILogger log, CancellationToken ct)
    {
        var applied = await new MigrationRunner(database, clock).MigrateAsync(ct);
        var changes = await new UsageSourceRepository(database, clock).SyncAsync(options.Providers, ct);
        await new LifecycleRepository(database).SyncDeclaredKeysAsync(options.Keys.Declared, ct);
        foreach (var change in changes.Where(c => c.Was is not null))
            LogSwitched(log, change.Account, change.Was!, change.Now, change.Remarked);
        return new LedgerStartupResult(applied, changes);
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning,
        Message = "Account {Account} now counts its {Now} usage instead of its {Was} usage: {Rows} ledger rows re-marked, its daily totals rebuilt")]
    private static partial void LogSwitched(ILogger logger, string account, string was, string now, int rows);
}
