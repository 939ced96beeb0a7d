using Monitor.Hosting;

namespace Monitor.Tests.Hosting;

/// <summary>The settings of enforced budgets and the unmetered-usage alert, validated at start with one line per problem.</summary>
public sealed class ProxyAccountingOptionsTests
{
    private static MonitorOptions Options(bool proxy, string? budgetAccount = "mistral-prod") => new()
    {
        Providers =
        [
            new ProviderOptions
            {
                Name = "mistral-prod", Kind = "Mistral", BaseUrl = "https://api.mistral.ai", ApiKeyEnv = "MISTRAL_ADMIN_KEY",
                Proxy = new ProxyOptions { Enabled = proxy },
            },
        ],
        Budgets =
        [
            new BudgetOptions
            {
                Name = "cap", Scope = new BudgetScopeOptions { Account = budgetAccount }, Amount = 10, Currency = "EUR", Period = "Day", Enforce = true,
            },
        ],
    };

    [Fact]
    public void Problems_EnforcedBudgetOnAProxiedAccount_None()
    {
        Assert.Empty(MonitorOptionsValidator.Problems(Options(proxy: true)));
        Assert.Empty(MonitorOptionsValidator.Problems(Options(proxy: true, budgetAccount: null)));
    }

    [Theory]
    [InlineData(false, "mistral-prod", "Monitor:Budgets:0:Enforce: account 'mistral-prod' does not enable the proxy (Monitor:Providers:N:Proxy:Enabled)")]
    [InlineData(false, null, "Monitor:Budgets:0:Enforce: no account enables the proxy")]
    [InlineData(true, "mistral-test", "Monitor:Budgets:0:Scope:Account: 'mistral-test' is not a configured provider account")]
    public void Problems_EnforcedBudgetNothingCouldStop_NamesTheKey(bool proxy, string? account, string expected)
    {
        var problem = Assert.Single(MonitorOptionsValidator.Problems(Options(proxy, account)));

        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_UnmeteredSettingsOutOfRange_OneLineEach()
    {
        var o = Options(proxy: true);
        o.Alerts.Unmetered = new UnmeteredOptions { MinAmountPerDay = -1, MinShare = 5, Tolerance = 8, SettleDelay = TimeSpan.FromDays(4), LookBackDays = 0 };

        var problems = MonitorOptionsValidator.Problems(o).ToList();

        Assert.Equal(
            [
                "Monitor:Alerts:Unmetered:MinAmountPerDay: must not be negative",
                "Monitor:Alerts:Unmetered:Tolerance: 8 must be a percentage 0-100, not above MinShare (5)",
                "Monitor:Alerts:Unmetered:SettleDelay: must be between 0 and 3 days",
                "Monitor:Alerts:Unmetered:LookBackDays: 0 must be 1-90",
            ],
            problems);
    }
}
