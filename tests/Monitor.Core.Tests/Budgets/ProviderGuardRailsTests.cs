using Monitor.Core.Alerts;
using Monitor.Core.Budgets;
using Monitor.Core.Pricing;

namespace Monitor.Core.Tests.Budgets;

public sealed class ProviderGuardRailsTests
{
    [Fact]
    public void Balances_PrepaidCreditRunningOutWithinTheWindow_RaisesALowBalanceWarning()
    {
        var balance = new CreditBalanceInfo { Currency = Currency.USD, Remaining = 12.5m, Total = 100m };

        var alert = Assert.Single(ProviderGuardRails.Balances([("openrouter", balance, 5m)], warnDays: 7));

        Assert.Equal(AlertKind.LowBalance, alert.Kind);
        Assert.Equal(AlertSeverity.Warning, alert.Severity);
    }

    [Fact]
    public void Balances_MemberAllowanceOfTheSameFigures_RaisesNothing()
    {
        // A Kilo organisation member's daily allowance (capped at the organisation's balance): reset by Kilo, not bought credit.
        var allowance = new CreditBalanceInfo { Currency = Currency.USD, Remaining = 12.5m, Kind = BalanceKind.Allowance };

        Assert.Empty(ProviderGuardRails.Balances([("kilo-team", allowance, 5m), ("kilo-empty", allowance with { Remaining = 0, Depleted = true }, 5m)], warnDays: 7));
    }
}
