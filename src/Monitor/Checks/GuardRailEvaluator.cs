using Dapper;
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

    public string Name => "guard-rails";

    public async Task<IReadOnlyList<AlertDecision>> EvaluateAsync(CheckContext context, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var at = context.AsOf.ToUnixTimeSeconds();
        var limits = (await c.QueryAsync<(string Account, string Currency, long? Usage, long? Limit, bool Reached, bool Failure)>(
            "SELECT account, currency, usage_micros, limit_micros, limit_reached, payment_failure FROM spend_limits WHERE fetched_at <= @at ORDER BY account",
            new { at }))
            .Select(r => (r.Account, new SpendLimitInfo
            {
                Currency = Enum.Parse<Currency>(r.Currency), Usage = Money(r.Usage), Limit = Money(r.Limit), LimitReached = r.Reached, PaymentFailure = r.Failure,
            }))
            .ToList();

        var balances = new List<(string, CreditBalanceInfo, decimal)>();
        foreach (var b in await c.QueryAsync<(string Account, string Currency, long Remaining, long? Total, bool Depleted, string Kind)>(
                     "SELECT account, currency, remaining_micros, total_micros, depleted, kind FROM credit_balances WHERE fetched_at <= @at ORDER BY account", new { at }))
        {
            // BYOK upstream cost is billed by the upstream provider: it never draws on the OpenRouter credits.
            var burned = await c.ExecuteScalarAsync<long?>(
                """
                SELECT SUM(cost_micros) FROM usage_records
                WHERE account = @Account AND currency = @Currency AND bucket_start >= @from AND bucket_start < @at AND category <> @byok AND counted = 1
                """,
                new { b.Account, b.Currency, from = (context.AsOf - BurnWindow).ToUnixTimeSeconds(), at, byok = OpenRouterConnector.ByokCategory }) ?? 0;
            var info = new CreditBalanceInfo
            {
                Currency = Enum.Parse<Currency>(b.Currency), Remaining = MoneyUnits.FromMicros(b.Remaining), Total = Money(b.Total), Depleted = b.Depleted,
                Kind = b.Kind == SnakeCase.Of(BalanceKind.Allowance) ? BalanceKind.Allowance : BalanceKind.Prepaid,
            };
            balances.Add((b.Account, info, MoneyUnits.FromMicros(burned) / (decimal)BurnWindow.TotalDays));
        }

        return
        [
            .. ProviderGuardRails.SpendLimits(limits, budgets.Budgets, context.AsOf),
            .. ProviderGuardRails.Balances(balances, options.Value.Alerts.LowBalanceDays),
        ];
    }

    private static decimal? Money(long? micros) => micros is { } m ? MoneyUnits.FromMicros(m) : null;
}
