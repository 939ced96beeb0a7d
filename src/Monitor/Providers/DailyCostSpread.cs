using Monitor.Core.Pricing;
using Monitor.Core.Usage;

namespace Monitor.Providers;

/// <summary>
/// A provider's daily bill laid over the usage it pays for, so that every billed day sums to the bill exactly and no
/// figure is counted twice. Providers report usage by the hour and money by the day: the connector puts its usage in a
/// <see cref="UsageTally"/> and names, for each usage identity, the <see cref="Bill"/> it belongs to (day, workspace and
/// key, as finely as the cost report groups) and its <em>payee</em>: the label a cost line names to pay it (OpenAI: the
/// model; Anthropic: model, tier and context window). Each reported line then pays the usage of the payees it names,
/// in proportion to their catalog estimates (unpriced usage, such as tool calls, shares only when none of it is priced,
/// then by token and unit counts); a line that names no payee of its bill becomes a day record of its own (the
/// connector says which: a model's day, or <c>(unattributed)</c>).
/// <para>
/// The rule, per bill: where the cost report has any line, <em>every</em> usage record of the bill takes its cost from
/// the bill: its share, or 0 when no line pays it; its estimate stays beside it (<see cref="UsageRecord.EstimatedCost"/>)
/// for reconciliation. So the records of a billed bill plus its day records sum to the reported amounts to the
/// micro-unit (each line is spread exactly through <see cref="ReportedCost.Spread"/>; what rounding the lines left over
/// goes to the bill's largest record), and no day counts an hourly estimate beside a reported amount. A bill the cost
/// report has no line for (today's, before the report catches up) keeps its estimates. Usage outside any bill
/// (Anthropic Priority Tier, which the cost report excludes) keeps its estimate and is never paid from the bill.
/// </para>
/// </summary>
public sealed class DailyCostSpread
{
    private readonly KeyValuePair<UsageKey, UsageSums>[] _entries;
    private readonly BillState?[] _billOf; // per entry: its bill, or null outside any bill
    private readonly Dictionary<Bill, BillState> _bills = [];

    /// <param name="usage">The usage of the window, read in full before any line is added.</param>
    /// <param name="billingOf">The bill and payee of a usage identity; null for usage the bill does not cover.</param>
    public DailyCostSpread(UsageTally usage, Func<UsageKey, Billing?> billingOf)
    {
        ArgumentNullException.ThrowIfNull(usage);
        ArgumentNullException.ThrowIfNull(billingOf);
        _entries = [.. usage.Entries];
        _billOf = new BillState?[_entries.Length];
        for (var i = 0; i < _entries.Length; i++)
        {
            if (billingOf(_entries[i].Key) is not { } b)
                continue;
            var state = State(b.Bill);
            _billOf[i] = state;
            if (!state.Members.TryGetValue(b.Payee, out var members))
                state.Members[b.Payee] = members = [];
            members.Add(i);
        }
    }

    /// <summary>One day's bill: the finest grouping of the provider's cost report (Anthropic has no key: "").</summary>
    public readonly record struct Bill(DateTimeOffset Day, string Workspace, string KeyId);

    /// <summary>Where a usage identity is billed: its bill, and the payee label cost lines name to pay it.</summary>
    public readonly record struct Billing(Bill Bill, string Payee);

    /// <summary>The payees with usage in <paramref name="bill"/> (for matching a cost line's text to them).</summary>
    public IReadOnlyCollection<string> Payees(Bill bill) =>
        _bills.TryGetValue(bill, out var state) ? state.Members.Keys : [];

    /// <summary>
    /// One reported line of <paramref name="bill"/>: <paramref name="amount"/> pays the usage of
    /// <paramref name="payees"/> (those of them the bill has); when the bill has none of them, it is ledgered as the day
    /// record <paramref name="dayRecord"/>. Lines naming the same payees are summed before they are spread.
    /// </summary>
    public void Add(Bill bill, decimal amount, IReadOnlyList<string> payees, UsageKey dayRecord)
    {
        ArgumentNullException.ThrowIfNull(payees);
        var state = State(bill);
        state.Billed = true;
        var present = payees.Count == 1
            ? (state.Members.ContainsKey(payees[0]) ? payees : [])
            : [.. payees.Where(state.Members.ContainsKey).Distinct(StringComparer.Ordinal)];
        if (present.Count == 0)
        {
            state.DayRecords[dayRecord] = state.DayRecords.GetValueOrDefault(dayRecord) + amount;
            return;
        }

        var target = present.Count == 1 ? present[0] : string.Join('\u001f', present);
        var before = state.Lines.TryGetValue(target, out var line) ? line.Amount : 0m;
        state.Lines[target] = (before + amount, present);
    }

    /// <summary>
    /// The ledger records: every usage identity in the order first seen (billed ones with their share of the bill,
    /// the rest with their estimate), then the day records.
    /// </summary>
    public IEnumerable<UsageRecord> Records(RecordFactory factory, Currency currency)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var shares = new decimal[_entries.Length];
        var days = new List<(UsageKey Key, decimal Amount)>();
        foreach (var state in _bills.Values)
        {
            if (state.Billed)
                Settle(state, shares, days);
        }

        for (var i = 0; i < _entries.Length; i++)
        {
            var (key, sums) = _entries[i];
            yield return _billOf[i] is { Billed: true }
                ? factory.Create(key, sums, currency, shares[i])
                : factory.Create(key, sums, currency);
        }

        foreach (var (key, amount) in days)
            yield return factory.Cost(key, amount, currency);
    }

    private BillState State(Bill bill)
    {
        if (!_bills.TryGetValue(bill, out var state))
            _bills[bill] = state = new BillState();
        return state;
    }

    /// <summary>
    /// One bill's lines spread over their payees' usage with <see cref="ReportedCost.Spread"/>: exact per line (the lines
    /// naming the same payees summed first), and exact per bill, the largest recipient taking what rounding each line to
    /// the micro-unit left over (a few micro-units at most).
    /// </summary>
    private void Settle(BillState state, decimal[] shares, List<(UsageKey Key, decimal Amount)> days)
    {
        var total = 0m;
        var paid = 0m;
        int? largest = null; // an entry index, or -1 - the index of a day record
        var largestAmount = 0m;
        void Consider(int recipient, decimal amount)
        {
            if (largest is null || Math.Abs(amount) > Math.Abs(largestAmount))
                (largest, largestAmount) = (recipient, amount);
        }

        foreach (var (amount, payees) in state.Lines.Values)
        {
            total += amount;
            var members = payees.Count == 1 ? state.Members[payees[0]] : [.. payees.SelectMany(p => state.Members[p])];
            var spread = ReportedCost.Spread(amount, Weights(members));
            for (var i = 0; i < members.Count; i++)
            {
                shares[members[i]] += spread[i];
                paid += spread[i];
                Consider(members[i], shares[members[i]]);
            }
        }

        foreach (var (key, amount) in state.DayRecords)
        {
            total += amount;
            var rounded = decimal.Round(amount, 6);
            days.Add((key, rounded));
            paid += rounded;
            Consider(-days.Count, rounded);
        }

        var residual = decimal.Round(total, 6) - paid;
        if (residual == 0 || largest is not { } at)
            return;
        if (at >= 0)
            shares[at] += residual;
        else
            days[-at - 1] = (days[-at - 1].Key, days[-at - 1].Amount + residual);
    }

    /// <summary>
    /// The catalog estimates of the priced members, where any has one (a model's token lines do not pay its unpriced
    /// tool calls); only when none is priced, tokens and units.
    /// </summary>
    private decimal[] Weights(List<int> members)
    {
        var weights = new decimal[members.Count];
        var priced = 0m;
        for (var i = 0; i < members.Count; i++)
        {
            weights[i] = _entries[members[i]].Value.Estimate ?? 0m;
            priced += weights[i];
        }

        if (priced != 0)
            return weights;
        for (var i = 0; i < members.Count; i++)
        {
            var sums = _entries[members[i]].Value;
            weights[i] = sums.Tokens.Total + sums.Units;
        }

        return weights;
    }

    /// <summary>A bill's usage by payee (entry indexes), its lines by the payees they name, and its day records.</summary>
    private sealed class BillState
    {
        public Dictionary<string, List<int>> Members { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, (decimal Amount, IReadOnlyList<string> Payees)> Lines { get; } = new(StringComparer.Ordinal);
        public Dictionary<UsageKey, decimal> DayRecords { get; } = [];

        /// <summary>The cost report has a line for this bill: all its usage takes its cost from the bill.</summary>
        public bool Billed { get; set; }
    }
}
