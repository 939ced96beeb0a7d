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
    private readonly UsageTally _usage;
    private readonly Dictionary<Bill, Dictionary<string, List<UsageKey>>> _members = [];
    private readonly Dictionary<Bill, Dictionary<string, (decimal Amount, IReadOnlyList<string> Payees)>> _lines = [];
    private readonly Dictionary<Bill, Dictionary<UsageKey, decimal>> _dayRecords = [];
    private readonly Dictionary<UsageKey, Billing?> _billing = [];

    /// <param name="usage">The usage of the window, read in full before any line is added.</param>
    /// <param name="billingOf">The bill and payee of a usage identity; null for usage the bill does not cover.</param>
    public DailyCostSpread(UsageTally usage, Func<UsageKey, Billing?> billingOf)
    {
        ArgumentNullException.ThrowIfNull(usage);
        ArgumentNullException.ThrowIfNull(billingOf);
        _usage = usage;
        foreach (var (key, _) in usage.Entries)
        {
            var billing = billingOf(key);
            _billing[key] = billing;
            if (billing is not { } b)
                continue;
            if (!_members.TryGetValue(b.Bill, out var payees))
                _members[b.Bill] = payees = new Dictionary<string, List<UsageKey>>(StringComparer.Ordinal);
            if (!payees.TryGetValue(b.Payee, out var keys))
                payees[b.Payee] = keys = [];
            keys.Add(key);
        }
    }

    /// <summary>One day's bill: the finest grouping of the provider's cost report (Anthropic has no key: "").</summary>
    public readonly record struct Bill(DateTimeOffset Day, string Workspace, string KeyId);

    /// <summary>Where a usage identity is billed: its bill, and the payee label cost lines name to pay it.</summary>
    public readonly record struct Billing(Bill Bill, string Payee);

    /// <summary>The payees with usage in <paramref name="bill"/> (for matching a cost line's text to them).</summary>
    public IReadOnlyCollection<string> Payees(Bill bill) =>
        _members.TryGetValue(bill, out var payees) ? payees.Keys : [];

    /// <summary>
    /// One reported line of <paramref name="bill"/>: <paramref name="amount"/> pays the usage of
    /// <paramref name="payees"/> (those of them the bill has); when the bill has none of them, it is ledgered as the day
    /// record <paramref name="dayRecord"/>. Lines naming the same payees are summed before they are spread.
    /// </summary>
    public void Add(Bill bill, decimal amount, IReadOnlyList<string> payees, UsageKey dayRecord)
    {
        ArgumentNullException.ThrowIfNull(payees);
        var present = _members.TryGetValue(bill, out var members) ? payees.Where(members.ContainsKey).Distinct(StringComparer.Ordinal).ToList() : [];
        if (!_lines.TryGetValue(bill, out var lines))
            _lines[bill] = lines = new Dictionary<string, (decimal, IReadOnlyList<string>)>(StringComparer.Ordinal);
        if (present.Count == 0)
        {
            if (!_dayRecords.TryGetValue(bill, out var days))
                _dayRecords[bill] = days = [];
            days[dayRecord] = days.GetValueOrDefault(dayRecord) + amount;
            return;
        }

        var target = string.Join('\u001f', present);
        var before = lines.TryGetValue(target, out var line) ? line.Amount : 0m;
        lines[target] = (before + amount, present);
    }

    /// <summary>
    /// The ledger records: every usage identity in the order first seen (billed ones with their share of the bill,
    /// the rest with their estimate), then the day records.
    /// </summary>
    public IEnumerable<UsageRecord> Records(RecordFactory factory, Currency currency)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var shares = Settle();
        foreach (var (key, sums) in _usage.Entries)
        {
            if (_billing[key] is { } b && _lines.ContainsKey(b.Bill))
                yield return factory.Create(key, sums, currency, shares.GetValueOrDefault(key));
            else
                yield return factory.Create(key, sums, currency);
        }

        foreach (var (key, amount) in shares)
        {
            if (!_billing.ContainsKey(key))
                yield return factory.Cost(key, amount, currency);
        }
    }

    /// <summary>
    /// Each bill's lines spread over their payees' usage with <see cref="ReportedCost.Spread"/>: exact per line (the lines
    /// naming the same payees summed first), and exact per bill, the largest recipient taking what rounding each line to
    /// the micro-unit left over (a few micro-units at most).
    /// </summary>
    private Dictionary<UsageKey, decimal> Settle()
    {
        var shares = new Dictionary<UsageKey, decimal>();
        foreach (var (bill, lines) in _lines)
        {
            var total = 0m;
            var recipients = new Dictionary<UsageKey, decimal>();
            foreach (var (amount, payees) in lines.Values)
            {
                total += amount;
                var members = payees.SelectMany(p => _members[bill][p]).ToList();
                var spread = ReportedCost.Spread(amount, Weights(members));
                for (var i = 0; i < members.Count; i++)
                    recipients[members[i]] = recipients.GetValueOrDefault(members[i]) + spread[i];
            }

            foreach (var (key, amount) in _dayRecords.GetValueOrDefault(bill) ?? [])
            {
                total += amount;
                recipients[key] = recipients.GetValueOrDefault(key) + decimal.Round(amount, 6);
            }

            var residual = decimal.Round(total, 6) - recipients.Values.Sum();
            if (residual != 0)
            {
                var largest = recipients.MaxBy(r => Math.Abs(r.Value)).Key;
                recipients[largest] += residual;
            }

            foreach (var (key, amount) in recipients)
                shares[key] = amount;
        }

        return shares;
    }

    /// <summary>
    /// The catalog estimates of the priced members, where any has one (a model's token lines do not pay its unpriced
    /// tool calls); only when none is priced, tokens and units.
    /// </summary>
    private decimal[] Weights(List<UsageKey> members)
    {
        var sums = members.Select(m => _usage.At(m)).ToList();
        if (sums.Sum(s => s.Estimate ?? 0m) != 0)
            return [.. sums.Select(s => s.Estimate ?? 0m)];
        return [.. sums.Select(s => (decimal)(s.Tokens.Total + s.Units))];
    }
}
