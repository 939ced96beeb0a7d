using Microsoft.Extensions.Options;
using Monitor.Core.Alerts;
using Monitor.Core.Budgets;
using Monitor.Core.Pricing;
using Monitor.Core;
using Monitor.Hosting;
using Monitor.Providers;
using Monitor.Storage;

namespace Monitor.Checks;

/// <summary>Provider guard rails: spend caps (Mistral's spend-limit), payment failures, prepaid balances running out.</summary>
public sealed class GuardRailEvaluator(Database database, BudgetEvaluator budgets, IOptions<MonitorOptions> options) : IAlertEvaluator
{
    private static readonly TimeSpan BurnWindow = TimeSpan.FromDays(7);
    private readonly InventoryRepository _inventory = new(database);
    private readonly UsageWindowReader _usage = new(database);

    public string Name => "guard-rails";

    public async Task<IReadOnlyList<AlertDecision>> EvaluateAsync(CheckContext context, CancellationToken ct)
    {
        var limits = await _inventory.SpendLimitsAsync(context.AsOf, ct);
        var balances = new List<(string, CreditBalanceInfo, decimal)>();
        foreach (var (account, balance) in await _inventory.BalancesAsync(context.AsOf, ct))
        {
            // BYOK upstream cost is billed by the upstream provider: it never draws on the OpenRouter credits.
            var burned = await _usage.CostAsync(
                new UsageScope(Account: account), balance.Currency.ToString(), context.AsOf - BurnWindow, context.AsOf, OpenRouterConnector.ByokCategory, ct);
            balances.Add((account, balance, MoneyUnits.FromMicros(burned) / (decimal)BurnWindow.TotalDays));
        }

        return
        [
            .. ProviderGuardRails.SpendLimits(limits, budgets.Budgets, context.AsOf),
            .. ProviderGuardRails.Balances(balances, options.Value.Alerts.LowBalanceDays),
        ];
    }
}
