using Microsoft.Extensions.Options;
using Monitor.Core.Alerts;
using Monitor.Core.Budgets;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Checks;

/// <summary>
/// Budgets: spend and forecast per configured budget at the check's time, and the threshold and forecast alerts
/// Core decides from them. Only decisions not raised before get their evidence (breakdown and chart); the whole check
/// is one pass over the ledger, however many budgets.
/// </summary>
public sealed class BudgetEvaluator(BudgetSpendReader reader, AlertRepository alerts, IOptions<MonitorOptions> options) : IAlertEvaluator
{
    private readonly Lazy<IReadOnlyList<BudgetDefinition>> _budgets = new(() => BudgetDefinitions.From(options.Value));
    private readonly Lazy<IReadOnlyList<ExchangeRate>> _rates = new(() => BudgetDefinitions.Rates(options.Value));

    public string Name => "budgets";

    /// <summary>The configured budgets, resolved once (time zones found, thresholds sorted).</summary>
    public IReadOnlyList<BudgetDefinition> Budgets => _budgets.Value;

    public Task<IReadOnlyList<BudgetStatus>> StatusesAsync(DateTimeOffset asOf, CancellationToken ct) =>
        reader.StatusesAsync(_budgets.Value, _rates.Value, asOf, ct);

    public async Task<IReadOnlyList<AlertDecision>> EvaluateAsync(CheckContext context, CancellationToken ct)
    {
        var statuses = await StatusesAsync(context.AsOf, ct);
        var candidates = statuses.Select(s => (Status: s, Decisions: BudgetRules.Decide(s))).Where(x => x.Decisions.Count > 0).ToList();
        var known = await alerts.ExistingAsync(candidates.SelectMany(x => x.Decisions).Select(d => d.DedupKey), ct);
        var decisions = new List<AlertDecision>();
        foreach (var (status, plain) in candidates)
        {
            if (plain.All(d => known.Contains(d.DedupKey)))
                continue;
            var evidence = BudgetEvidence.Build(status);
            decisions.AddRange(BudgetRules.Decide(status, evidence).Where(d => !known.Contains(d.DedupKey)));
        }

        return decisions;
    }
}
