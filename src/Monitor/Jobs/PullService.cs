using System.Diagnostics;
using Microsoft.Extensions.Options;
using Monitor.Core.Usage;
using Monitor.Hosting;
using Monitor.Providers;
using Monitor.Storage;

namespace Monitor.Jobs;

/// <summary>
/// One pull of one account, the same code for the scheduler and <c>monitor pull</c>: the declared keys written first
/// (Monitor:Keys:Declared, as at start), then inventories, then usage
/// from the watermark (less the look-back) to now, or the requested backfill window, chunk by chunk. Each chunk is
/// one transaction that replaces its window, records its run and moves the watermark; a failure writes nothing of
/// its chunk, records the error and stops the account, and never touches other accounts.
/// </summary>
public sealed partial class PullService(
    Database database, ConnectorFactory connectors, PullRunRepository runs, IOptions<MonitorOptions> options,
    TimeProvider clock, ILogger<PullService> log)
{
    public const string UsageStream = "usage";

    public async Task<IReadOnlyList<AccountPullResult>> PullAllAsync(
        string? only, DateTimeOffset? from, DateTimeOffset? to, IProgress<string>? progress, CancellationToken ct)
    {
        var accounts = options.Value.Providers.Where(p => p.Enabled && (only is null || string.Equals(p.Name, only, StringComparison.OrdinalIgnoreCase))).ToList();
        if (only is not null && accounts.Count == 0)
            throw new BadInputException($"--provider: no enabled provider account is named '{only}' (Monitor:Providers:*:Name)");
        if (only is not null && !accounts[0].Pulled)
            throw new BadInputException($"--provider: '{accounts[0].Name}' has no ApiKeyEnv: it is seen only through the metering proxy and has nothing to pull");
        accounts.RemoveAll(p => !p.Pulled); // proxy-only accounts: nothing to pull
        await SyncDeclaredKeysAsync(ct);
        var results = new List<AccountPullResult>();
        foreach (var account in accounts)
            results.Add(await PullAccountAsync(account, from, to, progress, ct));
        return results;
    }

    public async Task<AccountPullResult> PullAsync(
        ProviderOptions account, DateTimeOffset? from, DateTimeOffset? to, IProgress<string>? progress, CancellationToken ct)
    {
        await SyncDeclaredKeysAsync(ct);
        return await PullAccountAsync(account, from, to, progress, ct);
    }

    private Task SyncDeclaredKeysAsync(CancellationToken ct) =>
        new LifecycleRepository(database).SyncDeclaredKeysAsync(options.Value.Keys.Declared, ct);

    private async Task<AccountPullResult> PullAccountAsync(
        ProviderOptions account, DateTimeOffset? from, DateTimeOffset? to, IProgress<string>? progress, CancellationToken ct)
    {
        IProviderConnector connector;
        try
        {
            connector = connectors.Create(account);
        }
        catch (ProviderException e)
        {
            await FailAsync(account.Name, e.Endpoint, null, null, clock.GetUtcNow(), Stopwatch.StartNew(), e, [], ct);
            return new AccountPullResult(account.Name, 0, e.Message);
        }

        string? inventoryError = null;
        try
        {
            var failures = await PullInventoryAsync(connector, ct);
            inventoryError = failures.Count > 0 ? string.Join("; ", failures.Select(f => f.Message)) : null;
        }
        catch (ProviderException e)
        {
            inventoryError = e.Message;
            if (e.IsAuthFailure)
                return new AccountPullResult(account.Name, 0, e.Message); // a rejected key fails every endpoint: stop here
        }

        var now = clock.GetUtcNow();
        var end = to ?? now;
        var start = from ?? ((await runs.WatermarkAsync(account.Name, UsageStream, ct)) ?? now - options.Value.Pull.InitialBackfill) - options.Value.Pull.LookBack;
        if (start >= end)
        {
            if (from is not null)
                throw new BadInputException($"--from: {start:O} is not before --to {end:O}");
            return new AccountPullResult(account.Name, 0, inventoryError); // already pulled up to now
        }

        long records = 0;
        var chunks = connector.Chunk(start, end, options.Value.Pull.ChunkSize);
        for (var i = 0; i < chunks.Count; i++)
        {
            var (chunkFrom, chunkTo) = chunks[i];
            progress?.Report($"{account.Name}: {chunkFrom:yyyy-MM-dd} .. {chunkTo:yyyy-MM-dd} ({i + 1}/{chunks.Count})");
            var started = clock.GetUtcNow();
            var watch = Stopwatch.StartNew();
            try
            {
                var pull = await connector.PullUsageAsync(chunkFrom, chunkTo, ct);
                await using var tx = await LedgerTransaction.BeginAsync(database, "pull", account.Name, pull.Endpoint, started, ct);
                var derived = pull.MonthToDate
                    ? await MonthToDateLedger.RecordAndDeriveAsync(tx, pull, account.Name, account.ParsedKind, started)
                    : pull.Records;
                foreach (var record in derived)
                    tx.Upsert(account.Demo ? record with { Source = RecordSource.Demo } : record);
                await LifecycleRepository.RecordAliasUsesAsync(tx.Connection, tx.Transaction, pull.Aliases);
                await tx.ReplaceWindowAsync(account.Name, pull.From, pull.To);
                // The watermark is how far usage is complete: never past now, never past what this chunk covered.
                await PullRunRepository.AdvanceWatermarkAsync(tx.Connection, tx.Transaction, account.Name, UsageStream, pull.To < now ? pull.To : now, started);
                var drift = await RecordDriftAsync(tx, account.Name, connector.Drift, started);
                await PullRunRepository.RecordAsync(tx.Connection, tx.Transaction,
                    new PullRun(account.Name, pull.Endpoint, pull.From, pull.To, tx.RecordsWritten, started, watch.ElapsedMilliseconds, "ok", null, drift));
                await tx.CommitAsync(ct);
                records += tx.RecordsWritten;
                LogChunk(log, account.Name, pull.From, pull.To, tx.RecordsWritten, watch.ElapsedMilliseconds);
            }
            catch (ProviderException e)
            {
                await FailAsync(account.Name, e.Endpoint, chunkFrom, chunkTo, started, watch, e, connector.Drift.Drain(), ct);
                return new AccountPullResult(account.Name, records, e.Message);
            }
        }

        return new AccountPullResult(account.Name, records, inventoryError);
    }

    /// <summary>
    /// Pulls and saves the inventory. Each listing fails on its own: what was listed is saved, each failed listing is
    /// recorded as a failed run and returned. Only when nothing could be listed is the failure thrown, so that a
    /// rejected key stops the account.
    /// </summary>
    private async Task<IReadOnlyList<ProviderException>> PullInventoryAsync(IProviderConnector connector, CancellationToken ct)
    {
        var account = connector.Account;
        var started = clock.GetUtcNow();
        var watch = Stopwatch.StartNew();
        InventoryPull inventory;
        try
        {
            inventory = await connector.PullInventoryAsync(ct);
        }
        catch (ProviderException e)
        {
            await FailAsync(account.Name, e.Endpoint, null, null, started, watch, e, connector.Drift.Drain(), ct);
            throw;
        }

        var listed = inventory.Keys is not null || inventory.Models is not null || inventory.SpendLimit is not null || inventory.Balance is not null;
        if (!listed && inventory.Failures.Count > 0)
        {
            await FailAsync(account.Name, inventory.Failures[0].Endpoint, null, null, started, watch, inventory.Failures[0], connector.Drift.Drain(), ct);
            foreach (var failure in inventory.Failures.Skip(1))
                await FailAsync(account.Name, failure.Endpoint, null, null, started, watch, failure, [], ct);
            throw inventory.Failures.FirstOrDefault(f => f.IsAuthFailure) ?? inventory.Failures[0];
        }

        await using (var tx = await LedgerTransaction.BeginAsync(database, "pull", account.Name, "inventory", started, ct))
        {
            long items = 0;
            if (inventory.Keys is { } keys)
            {
                await InventoryRepository.SaveKeysAsync(tx.Connection, tx.Transaction, account.Name, keys, started);
                items += keys.Count;
            }

            if (inventory.Models is { } models)
            {
                await InventoryRepository.SaveModelsAsync(tx.Connection, tx.Transaction, account.Name, account.ParsedKind, models, started);
                items += models.Count;
            }

            if (inventory.SpendLimit is { } limit)
                await InventoryRepository.SaveSpendLimitAsync(tx.Connection, tx.Transaction, account.Name, limit, started);
            if (inventory.Balance is { } balance)
                await InventoryRepository.SaveBalanceAsync(tx.Connection, tx.Transaction, account.Name, balance, started);
            var drift = await RecordDriftAsync(tx, account.Name, connector.Drift, started);
            await PullRunRepository.RecordAsync(tx.Connection, tx.Transaction,
                new PullRun(account.Name, "inventory", null, null, items, started, watch.ElapsedMilliseconds, "ok", null, drift));
            await tx.CommitAsync(ct);
        }

        foreach (var failure in inventory.Failures)
            await FailAsync(account.Name, failure.Endpoint, null, null, started, watch, failure, [], ct);
        return inventory.Failures;
    }

    /// <summary>Stores the drift seen since the last step in the step's transaction; logs what is new today.</summary>
    private async Task<string?> RecordDriftAsync(LedgerTransaction tx, string account, DriftLog seen, DateTimeOffset now)
    {
        var drift = seen.Drain();
        foreach (var item in await ProviderDriftRepository.RecordAsync(tx.Connection, tx.Transaction, account, drift, now))
            LogDrift(log, account, item.Endpoint, item.Path, item.Problem);
        return ProviderDriftRepository.Describe(drift);
    }

    private async Task FailAsync(
        string account, string endpoint, DateTimeOffset? from, DateTimeOffset? to, DateTimeOffset started, Stopwatch watch, ProviderException e,
        IReadOnlyList<DriftItem> drift, CancellationToken ct)
    {
        LogFailure(log, account, endpoint, e.Message);
        foreach (var item in await runs.RecordFailureAsync(new PullRun(account, endpoint, from, to, 0, started, watch.ElapsedMilliseconds, "failed", e.Message), drift, ct))
            LogDrift(log, account, item.Endpoint, item.Path, item.Problem);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pulled {Account} {From:u} .. {To:u}: {Records} records in {Milliseconds} ms")]
    private static partial void LogChunk(ILogger logger, string account, DateTimeOffset from, DateTimeOffset to, long records, long milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Pull of {Account} failed at {Endpoint}: {Error}")]
    private static partial void LogFailure(ILogger logger, string account, string endpoint, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Format drift at {Account} {Endpoint} {Path}: {Problem} (reported once a day)")]
    private static partial void LogDrift(ILogger logger, string account, string endpoint, string path, string problem);
}
