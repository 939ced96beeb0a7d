using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Monitor.Core.Budgets;
using Monitor.Core.Keys;
using Monitor.Core.Pricing;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Proxy;

/// <summary>
/// Enforced budgets (<c>Enforce: true</c>) at the proxy. Each budget's period spend is the ledger's counted spend in its
/// scope, read through <see cref="BudgetSpendReader"/> up to a minute cutoff two minutes back (the proxy writes its minute
/// buckets within a second), reconciled every <see cref="ReconcileEvery"/>; plus every metered call <see cref="Record"/>ed
/// from the cutoff on, added at once. For an account that counts its provider's API, the proxy's minutes since the last
/// pull are added to the API's figures, which do not hold them yet. <see cref="Check"/> is on every proxied request's
/// path: a cached scope match and a reference read per budget, no database call, no allocation once a caller is known.
/// What matters survives a restart because it is in the ledger. On a cluster (PostgreSQL) each node also writes every
/// metered call to the shared running totals at once, and a caller in an enforced scope is decided on the other nodes'
/// calls too, read from the database before the call is forwarded: every node refuses after the same crossing.
/// </summary>
public sealed partial class SpendGuard : ISpendGuard, IDisposable
{
    /// <summary>How often the running totals are reconciled with the ledger.</summary>
    public static readonly TimeSpan ReconcileEvery = TimeSpan.FromSeconds(5);

    /// <summary>How far behind now the ledger's part ends: the proxy's last minutes may not be written yet.</summary>
    public static readonly TimeSpan LedgerLag = TimeSpan.FromMinutes(2);

    private const int MaxCachedCallers = 100_000;

    private readonly BudgetSpendReader _reader;
    private readonly SpendGuardRepository _repository;
    private readonly SharedSpendRepository _shared;
    private readonly bool _clustered;
    private readonly TimeProvider _clock;
    private readonly ILogger<SpendGuard> _log;
    private readonly IDisposable? _subscription;
    private readonly Lock _rebuild = new();
    private readonly SemaphoreSlim _reconciling = new(1, 1);
    private readonly DateTimeOffset _firstCutoff;
    private readonly ConcurrentDictionary<(string Account, string Fingerprint), byte> _knownKeys = new();
    private readonly ConcurrentDictionary<(string Budget, Currency Currency), decimal> _notCounted = new();
    private readonly ConcurrentDictionary<(string Account, string Model), byte> _unpricedLogged = new();
    private volatile State _state;
    private DateTimeOffset _knownKeysFrom = DateTimeOffset.MaxValue;

    public SpendGuard(
        BudgetSpendReader reader, SpendGuardRepository repository, SharedSpendRepository shared, IOptionsMonitor<MonitorOptions> options,
        TimeProvider clock, ILogger<SpendGuard> log)
    {
        _reader = reader;
        _repository = repository;
        _shared = shared;
        _clustered = shared.Shared;
        _clock = clock;
        _log = log;
        // Calls before the guard started are in the ledger; from the next whole minute on they are counted here too. On a
        // cluster the shared totals hold every node's calls of this minute (a previous run of this node's included), so
        // the ledger part ends where this minute begins.
        var start = clock.GetUtcNow();
        _firstCutoff = shared.Shared ? FloorMinute(start) : CeilMinute(start);
        _state = State.Build(options.CurrentValue, null, CallerDirectory.Empty, start, _firstCutoff);
        _subscription = options.OnChange(o => Rebuild(o));
    }

    /// <summary>Where each enforced budget stands as the guard sees it (for tests and diagnostics).</summary>
    public IReadOnlyList<(string Budget, decimal Spent, BudgetBlock? Block)> Status =>
        [.. _state.Budgets.Select(b => (b.Budget.Name, b.Spent, b.Block))];

    /// <summary>Metered spend that could not be added to a budget: its currency differs and no exchange rate is configured.</summary>
    public decimal NotCounted(string budget, Currency currency) => _notCounted.GetValueOrDefault((budget, currency));

    public SpendRefusal? Check(string account, string keyFingerprint, string? model)
    {
        var state = _state;
        if (state.Budgets.Length == 0)
            return null;
        var matches = state.Match(account, keyFingerprint, model);
        if (matches.Length == 0)
            return null;
        var now = _clock.GetUtcNow();
        if (_clustered)
            ReadOthers(state, matches, now);
        foreach (var i in matches)
        {
            if (state.Budgets[i].Block is { } block && block.Refuses(now))
                return state.RefusalFor(i, block);
        }

        return null;
    }

    // Clustered mode: the other nodes' calls since each budget's cutoff, read from the shared database before deciding.
    // If the database cannot answer, the last figures stand (the proxy keeps serving) and the failure is logged.
    private void ReadOthers(State state, int[] matches, DateTimeOffset now)
    {
        try
        {
            var budgets = new (string Budget, long From)[matches.Length];
            for (var m = 0; m < matches.Length; m++)
                budgets[m] = (state.Budgets[matches[m]].Budget.Name, state.Budgets[matches[m]].CountFrom.ToUnixTimeSeconds());
            var others = _shared.Others(budgets);
            foreach (var i in matches)
                state.Budgets[i].SetOthers(others[state.Budgets[i].Budget.Name], now);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            LogSharedFailed(_log, e.Message);
        }
    }

    public void Record(MeteredCall call)
    {
        var state = _state;
        if (state.Budgets.Length == 0)
            return;
        _knownKeys.TryAdd((call.Account, call.KeyFingerprint), 0);
        var matches = state.Match(call.Account, call.KeyFingerprint, call.Model);
        if (matches.Length == 0 || call.Cost is not { } cost || cost == 0)
        {
            if (matches.Length > 0 && call.Cost is null && call.Tokens.Total > 0 && _unpricedLogged.TryAdd((call.Account, call.Model), 0))
                LogUnpriced(_log, call.Account, call.Model);
            return;
        }

        var now = _clock.GetUtcNow();
        List<(string Budget, long Minute, long Micros)>? shared = _clustered ? [] : null;
        foreach (var i in matches)
        {
            var budget = state.Budgets[i];
            if (Convert(cost, call.Currency, budget.Budget.Currency, call.At, state.Rates) is { } micros)
            {
                budget.Add(call.At, micros, now);
                shared?.Add((budget.Budget.Name, FloorMinute(call.At).ToUnixTimeSeconds(), micros));
                continue;
            }

            // No rate: never guessed. Said once per budget and currency, and kept as "not counted".
            if (_notCounted.AddOrUpdate((budget.Budget.Name, call.Currency), static (_, c) => c, static (_, sum, c) => sum + c, cost) == cost)
                LogNoRate(_log, budget.Budget.Name, call.Currency, budget.Budget.Currency);
        }

        // Clustered mode: the other nodes see this call before they decide on their next one.
        if (shared is { Count: > 0 })
        {
            try
            {
                _shared.Add(shared);
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
            {
                LogSharedFailed(_log, e.Message);
            }
        }
    }

    /// <summary>
    /// Reads the ledger's counted spend of every enforced budget up to the cutoff (and, for accounts that count their
    /// provider's API, the proxy's minutes since the last pull) and hands it to the running totals.
    /// </summary>
    public async Task ReconcileAsync(CancellationToken ct)
    {
        await _reconciling.WaitAsync(ct);
        try
        {
            if (_state.Budgets.Length == 0)
                return;
            var now = _clock.GetUtcNow();
            var directory = await _repository.DirectoryAsync(ct);
            var state = Refresh(directory);
            var cutoff = FloorMinute(now - LedgerLag);
            if (cutoff < _firstCutoff)
                cutoff = _firstCutoff;
            await LoadKnownKeysAsync(state, now, ct);

            var ledger = new List<(int Budget, BudgetDefinition Definition)>();
            for (var i = 0; i < state.Budgets.Length; i++)
            {
                var b = state.Budgets[i].Budget;
                foreach (var scope in LedgerScopes(b, state, directory))
                    ledger.Add((i, b with { Scope = scope, Forecast = false, Enforce = false }));
            }

            var statuses = await _reader.StatusesAsync([.. ledger.Select(l => l.Definition)], state.Rates, cutoff, forecastHistory: false, ct);
            var micros = new long[state.Budgets.Length];
            var periods = new BudgetPeriod[state.Budgets.Length];
            for (var j = 0; j < ledger.Count; j++)
            {
                micros[ledger[j].Budget] += MoneyUnits.ToMicros(statuses[j].Spent);
                periods[ledger[j].Budget] = statuses[j].Period;
            }

            await AddUncountedProxyAsync(state, directory, micros, periods, cutoff, ct);
            for (var i = 0; i < state.Budgets.Length; i++)
                state.Budgets[i].Reconcile(periods[i], micros[i], cutoff, now, _clock.GetUtcNow());
            if (_clustered)
                await _shared.PruneAsync(cutoff.AddDays(-1).ToUnixTimeSeconds(), ct);
        }
        finally
        {
            _reconciling.Release();
        }
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _reconciling.Dispose();
    }

    // The ledger's rows of a budget: its scope as configured, and where it names a key id or a workspace, the proxy's
    // rows (keyed by fingerprint, no workspace) of the callers the listing maps to it; where it names a fingerprint, the
    // provider's rows of the key id the listing maps it to. Each row matches at most one of them.
    private IEnumerable<BudgetScope> LedgerScopes(BudgetDefinition b, State state, CallerDirectory directory)
    {
        var scope = b.Scope;
        var scopes = new List<BudgetScope> { scope };
        if (scope.KeyId is null && scope.Workspace is null)
            return scopes;
        foreach (var (account, fingerprint) in _knownKeys.Keys)
        {
            if (fingerprint == scope.KeyId || !state.Covers(b, account) || !EnforcedScope.Matches(scope with { Model = null }, account, fingerprint, null, directory))
                continue;
            scopes.Add(scope with { Account = account, KeyId = fingerprint, Workspace = null });
        }

        if (scope.KeyId is { } keyId && KeyFingerprint.IsFingerprint(keyId))
        {
            foreach (var account in state.Accounts.Where(a => state.Covers(b, a)))
            {
                if (directory.KeyOf(account, keyId) is { } listed)
                    scopes.Add(scope with { Account = account, KeyId = listed.KeyId });
            }
        }

        return scopes.Distinct();
    }

    private async Task AddUncountedProxyAsync(
        State state, CallerDirectory directory, long[] micros, BudgetPeriod[] periods, DateTimeOffset cutoff, CancellationToken ct)
    {
        if (state.ApiCounted.Count == 0)
            return;
        var pulls = await _repository.LastPullsAsync(ct);
        foreach (var account in state.ApiCounted)
        {
            var covering = Enumerable.Range(0, state.Budgets.Length).Where(i => state.Covers(state.Budgets[i].Budget, account)).ToList();
            if (covering.Count == 0)
                continue;
            var horizon = pulls.GetValueOrDefault(account, DateTimeOffset.MinValue);
            var from = covering.Min(i => Max(horizon, periods[i].Start));
            if (from >= cutoff)
                continue;
            foreach (var minute in await _repository.UncountedProxyMinutesAsync(account, from, cutoff, ct))
            {
                foreach (var i in covering)
                {
                    var b = state.Budgets[i].Budget;
                    if (minute.Start < Max(horizon, periods[i].Start) || !EnforcedScope.Matches(b.Scope, account, minute.Fingerprint, minute.Model, directory)
                        || !Currencies.TryParse(minute.Currency, out var currency))
                        continue;
                    micros[i] += Convert(MoneyUnits.FromMicros(minute.CostMicros), currency, b.Currency, minute.Start, state.Rates) ?? 0;
                }
            }
        }
    }

    // The fingerprints the proxy metered in the budgets' periods, read once (again when a budget reaches further back);
    // later ones arrive through Record.
    private async Task LoadKnownKeysAsync(State state, DateTimeOffset now, CancellationToken ct)
    {
        if (!state.Budgets.Any(b => b.Budget.Scope.KeyId is not null || b.Budget.Scope.Workspace is not null))
            return;
        var from = state.Budgets.Min(b => b.Budget.PeriodAt(now).Start);
        if (from >= _knownKeysFrom)
            return;
        foreach (var key in await _repository.ProxyKeysAsync(from, ct))
            _knownKeys.TryAdd(key, 0);
        _knownKeysFrom = from;
    }

    // A directory that says something new replaces the old one (and the scope matches made with it).
    private State Refresh(CallerDirectory directory)
    {
        lock (_rebuild)
        {
            if (!_state.Directory.SameAs(directory))
                _state = _state.WithDirectory(directory);
            return _state;
        }
    }

    private void Rebuild(MonitorOptions options)
    {
        lock (_rebuild)
        {
            var now = _clock.GetUtcNow();
            _state = State.Build(options, _state, _state.Directory.Directory, now, _firstCutoff);
            _knownKeysFrom = DateTimeOffset.MaxValue;
        }
    }

    private static long? Convert(decimal cost, Currency from, Currency to, DateTimeOffset at, IReadOnlyList<ExchangeRate> rates) =>
        ExchangeRate.Find(rates, from, to, at) is { } rate ? MoneyUnits.ToMicros(cost * rate) : null;

    private static DateTimeOffset FloorMinute(DateTimeOffset t) => DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds() / 60 * 60);

    private static DateTimeOffset CeilMinute(DateTimeOffset t)
    {
        var floor = FloorMinute(t);
        return floor == t ? floor : floor.AddMinutes(1);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    [LoggerMessage(EventId = 1311, Level = LogLevel.Warning,
        Message = "Enforced budget {Budget}: metered spend in {Currency} is not counted, no exchange rate into {BudgetCurrency} is configured (Monitor:Pricing:ExchangeRates)")]
    private static partial void LogNoRate(ILogger logger, string budget, Currency currency, Currency budgetCurrency);

    [LoggerMessage(EventId = 1313, Level = LogLevel.Warning,
        Message = "Enforced budgets: the shared running totals of the cluster could not be read or written ({Error}); this node decides on what it knows")]
    private static partial void LogSharedFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 1312, Level = LogLevel.Warning,
        Message = "Enforced budgets: {Account} calls {Model}, which has no catalog price; its calls are not counted toward them")]
    private static partial void LogUnpriced(ILogger logger, string account, string model);

    /// <summary>
    /// The enforced budgets with their running totals, the callers' directory, and the scope matches of the callers seen
    /// so far. Replaced whole when the budgets or the directory change (the totals carry over), so a reader holds one
    /// consistent view.
    /// </summary>
    private sealed class State
    {
        private readonly ConcurrentDictionary<(string Account, string Fingerprint, string Model), int[]> _matches = new();
        private readonly (BudgetBlock Block, SpendRefusal Refusal)?[] _refusals;

        private State(EnforcedBudget[] budgets, IReadOnlyList<ExchangeRate> rates, DirectoryVersion directory, IReadOnlyList<string> accounts, IReadOnlyList<string> apiCounted)
        {
            Budgets = budgets;
            Rates = rates;
            Directory = directory;
            Accounts = accounts;
            ApiCounted = apiCounted;
            _refusals = new (BudgetBlock, SpendRefusal)?[budgets.Length];
        }

        public EnforcedBudget[] Budgets { get; }
        public IReadOnlyList<ExchangeRate> Rates { get; }
        public DirectoryVersion Directory { get; }

        /// <summary>The accounts whose calls go through the proxy.</summary>
        public IReadOnlyList<string> Accounts { get; }

        /// <summary>The proxied accounts that count their provider's API (their proxy rows are not in the counted ledger).</summary>
        public IReadOnlyList<string> ApiCounted { get; }

        public static State Build(MonitorOptions options, State? previous, CallerDirectory directory, DateTimeOffset now, DateTimeOffset cutoff)
        {
            var budgets = BudgetDefinitions.From(options).Where(b => b.Enforce).Select(b =>
                previous?.Budgets.FirstOrDefault(p => p.Budget.Name == b.Name && p.CountsLike(b)) is { } kept
                    ? kept.With(b, now)
                    : new EnforcedBudget(b, now, cutoff));
            var proxied = options.Providers.Where(p => p.Enabled && p.Proxy.Enabled).ToList();
            return new State(
                [.. budgets], BudgetDefinitions.Rates(options), new DirectoryVersion(directory), [.. proxied.Select(p => p.Name)],
                [.. proxied.Where(p => p.CountedSource == UsageFrom.Api).Select(p => p.Name)]);
        }

        public State WithDirectory(CallerDirectory directory) => new(Budgets, Rates, new DirectoryVersion(directory), Accounts, ApiCounted);

        public bool Covers(BudgetDefinition b, string account) => b.Scope.Account is null ? Accounts.Contains(account) : b.Scope.Account == account;

        /// <summary>The budgets whose scope holds the caller; computed once per caller and model.</summary>
        public int[] Match(string account, string fingerprint, string? model)
        {
            var key = (account, fingerprint, model ?? "");
            return _matches.TryGetValue(key, out var found) ? found : Add(key, model);
        }

        // Apart from Match: its lambda's captures would otherwise be allocated on every call, hit or miss.
        private int[] Add((string Account, string Fingerprint, string Model) key, string? model)
        {
            if (_matches.Count >= MaxCachedCallers)
                _matches.Clear();
            int[] found = [.. Enumerable.Range(0, Budgets.Length)
                .Where(i => EnforcedScope.Matches(Budgets[i].Budget.Scope, key.Account, key.Fingerprint, model, Directory.Directory))];
            _matches[key] = found;
            return found;
        }

        /// <summary>One refusal object per block: the callers refused by it get the same answer without an allocation.</summary>
        public SpendRefusal RefusalFor(int budget, BudgetBlock block)
        {
            if (_refusals[budget] is { } cached && ReferenceEquals(cached.Block, block))
                return cached.Refusal;
            var refusal = new SpendRefusal(block.Budget, block.Message);
            _refusals[budget] = (block, refusal);
            return refusal;
        }
    }

    /// <summary>A directory and a cheap way to tell whether a newly read one says the same.</summary>
    private sealed class DirectoryVersion(CallerDirectory directory)
    {
        public CallerDirectory Directory { get; } = directory;

        public bool SameAs(CallerDirectory other) => Directory.Signature == other.Signature;
    }
}
