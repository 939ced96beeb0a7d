using System.Globalization;
using Monitor.Core.Pricing;

namespace Monitor.Core.Budgets;

/// <summary>
/// The running spend of one enforced budget in its current period, and whether it blocks: the ledger's counted spend
/// for the buckets before a minute cutoff (reconciled every few seconds) plus every metered call from the cutoff on,
/// kept per minute so that the next reconcile hands each minute over to the ledger exactly (the proxy writes its
/// minute buckets within a second). A call metered late (a long stream whose minute lies before the cutoff) is kept
/// apart until a reconcile reads the ledger more than <see cref="FlushAllowance"/> after it. On a cluster the other
/// nodes' calls from the cutoff on are added as the shared database reports them (<see cref="SetOthers"/>). A call that makes the
/// spend reach the amount has passed already: the block refuses the calls after it. Thread-safe: calls are added and the ledger reconciled under a lock; <see cref="Block"/>
/// is one reference read.
/// </summary>
public sealed class EnforcedBudget
{
    private const long Minute = 60;

    /// <summary>How long after a call is metered the proxy has surely written it to the ledger (it flushes every second).</summary>
    public static readonly TimeSpan FlushAllowance = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private readonly Dictionary<long, long> _pending = [];
    private readonly List<(DateTimeOffset MeteredAt, long Micros)> _late = [];
    private BudgetPeriod _period;
    private long _cutoff;
    private long _ledgerMicros;
    private long _pendingMicros;
    private long _lateMicros;
    private long _othersMicros;
    private volatile BudgetBlock? _block;

    /// <param name="cutoff">The first minute the calls added from now on are kept for; earlier minutes come from the ledger.</param>
    public EnforcedBudget(BudgetDefinition budget, DateTimeOffset now, DateTimeOffset cutoff)
    {
        Budget = budget;
        _period = budget.PeriodAt(now);
        _cutoff = FloorMinute(cutoff);
    }

    public BudgetDefinition Budget { get; }

    /// <summary>Null while the budget lets calls through; check <see cref="BudgetBlock.Refuses"/> against the time.</summary>
    public BudgetBlock? Block => _block;

    /// <summary>The period's spend as the guard knows it: the ledger's part and the calls since the cutoff.</summary>
    public decimal Spent
    {
        get
        {
            lock (_lock)
                return MoneyUnits.FromMicros(_ledgerMicros + _pendingMicros + _lateMicros + _othersMicros);
        }
    }

    /// <summary>
    /// The first minute whose calls are not the ledger's yet: on a cluster, the other nodes' calls are counted from
    /// here (<see cref="SetOthers"/>).
    /// </summary>
    public DateTimeOffset CountFrom
    {
        get
        {
            lock (_lock)
                return DateTimeOffset.FromUnixTimeSeconds(Math.Max(_cutoff, FloorMinute(_period.Start)));
        }
    }

    /// <summary>
    /// Clustered mode: what the other nodes metered in the scope from <see cref="CountFrom"/> on, as the shared database
    /// holds it now; the block follows at once, so every node refuses after the same crossing.
    /// </summary>
    public void SetOthers(long micros, DateTimeOffset now)
    {
        lock (_lock)
        {
            Roll(now);
            _othersMicros = micros;
            Update(now);
        }
    }

    public BudgetPeriod Period
    {
        get
        {
            lock (_lock)
                return _period;
        }
    }

    /// <summary>
    /// Adds a metered call's cost (in the budget's currency, micro-units) of a call made at <paramref name="at"/>.
    /// Returns false for a call of an earlier period.
    /// </summary>
    public bool Add(DateTimeOffset at, long micros, DateTimeOffset now)
    {
        lock (_lock)
        {
            Roll(now);
            if (at < _period.Start)
            {
                Update(now);
                return false;
            }

            var minute = FloorMinute(at);
            if (minute < _cutoff)
            {
                _late.Add((now, micros));
                _lateMicros += micros;
            }
            else
            {
                _pending[minute] = _pending.GetValueOrDefault(minute) + micros;
                _pendingMicros += micros;
            }

            Update(now);
            return true;
        }
    }

    /// <summary>
    /// The ledger's counted spend in the scope for buckets before <paramref name="cutoff"/> (a minute), of the period
    /// that contained it (<paramref name="ledgerPeriod"/>), as read from <paramref name="readAt"/> on. Calls of minutes
    /// before the cutoff, and late calls metered well before the read, are now the ledger's. A cutoff earlier than the
    /// current one is ignored: minutes already handed over are not taken back.
    /// </summary>
    public void Reconcile(BudgetPeriod ledgerPeriod, long ledgerMicros, DateTimeOffset cutoff, DateTimeOffset readAt, DateTimeOffset now)
    {
        lock (_lock)
        {
            Roll(now);
            var minute = FloorMinute(cutoff);
            if (minute < _cutoff)
                return;
            _cutoff = minute;
            _othersMicros = 0; // counted from the old cutoff: part of it is the ledger's now (the next check reads it again)
            _late.RemoveAll(l => l.MeteredAt <= readAt - FlushAllowance);
            _lateMicros = _late.Sum(l => l.Micros);
            // A period that began after the cutoff has nothing in the ledger part yet; a rolling window slides with the cutoff.
            _ledgerMicros = Budget.Period == BudgetPeriodKind.Rolling || ledgerPeriod.Start == _period.Start ? ledgerMicros : 0;
            Prune(minute);
            Update(now);
        }
    }

    /// <summary>The same running spend under a changed definition (a raised or lowered amount): the block follows at once.</summary>
    public EnforcedBudget With(BudgetDefinition budget, DateTimeOffset now)
    {
        lock (_lock)
        {
            var next = new EnforcedBudget(budget, now, DateTimeOffset.FromUnixTimeSeconds(_cutoff));
            next._ledgerMicros = _ledgerMicros;
            foreach (var (minute, micros) in _pending)
                next._pending[minute] = micros;
            next._pendingMicros = _pendingMicros;
            next._late.AddRange(_late);
            next._lateMicros = _lateMicros;
            next._othersMicros = _othersMicros;
            lock (next._lock)
                next.Update(now);
            return next;
        }
    }

    /// <summary>True when <paramref name="other"/> counts the same spend (scope, currency, period and zone): its state carries over.</summary>
    public bool CountsLike(BudgetDefinition other) =>
        Budget.Scope == other.Scope && Budget.Currency == other.Currency && Budget.Period == other.Period
        && Budget.WeekStart == other.WeekStart && Budget.RollingDays == other.RollingDays && Budget.TimeZone.Id == other.TimeZone.Id;

    // A calendar period that ended: the new one starts with nothing from the ledger (the cutoff lies before it) and the
    // calls already made in it.
    private void Roll(DateTimeOffset now)
    {
        if (Budget.Period == BudgetPeriodKind.Rolling)
        {
            _period = Budget.PeriodAt(now);
            return;
        }

        if (now < _period.End)
            return;
        _period = Budget.PeriodAt(now);
        _ledgerMicros = 0;
        _late.Clear();
        _lateMicros = 0;
        _othersMicros = 0;
        Prune(Math.Max(_cutoff, FloorMinute(_period.Start)));
    }

    private void Prune(long before)
    {
        foreach (var minute in _pending.Keys.Where(m => m < before).ToList())
            _pending.Remove(minute);
        _pendingMicros = _pending.Values.Sum();
    }

    private void Update(DateTimeOffset now)
    {
        var spent = _ledgerMicros + _pendingMicros + _lateMicros + _othersMicros;
        if (spent < MoneyUnits.ToMicros(Budget.Amount))
        {
            _block = null;
            return;
        }

        var until = Budget.Period == BudgetPeriodKind.Rolling ? DateTimeOffset.MaxValue : _period.End;
        if (_block is { } current && current.Until == until)
            return; // the refusal already given stays the same object (cheap for the callers that cache it)
        _block = new BudgetBlock(Budget.Name, Message(MoneyUnits.FromMicros(spent), now), until);
    }

    private string Message(decimal spent, DateTimeOffset now)
    {
        var amount = MoneyUnits.Display(Budget.Amount, Budget.Currency);
        var used = MoneyUnits.Display(spent, Budget.Currency);
        var zone = Budget.TimeZone.Id;
        var until = Budget.Period == BudgetPeriodKind.Rolling
            ? $"until its last {Budget.RollingDays.ToString(CultureInfo.InvariantCulture)} days spend less than {amount}"
            : $"until {Local(_period.End)} {zone}";
        return $"Budget '{Budget.Name}' ({Budget.Scope}) is used up: {used} of {amount} spent since {Local(Budget.Period == BudgetPeriodKind.Rolling ? now.AddDays(-Budget.RollingDays) : _period.Start)} {zone}. "
            + $"Calls in its scope are refused {until}, or until the budget is raised.";
    }

    private string Local(DateTimeOffset at) =>
        ZonedTime.ToLocal(at, Budget.TimeZone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static long FloorMinute(DateTimeOffset t)
    {
        var s = t.ToUnixTimeSeconds();
        return s - (((s % Minute) + Minute) % Minute);
    }
}
