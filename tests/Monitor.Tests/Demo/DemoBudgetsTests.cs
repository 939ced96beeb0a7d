using System.Globalization;
using Monitor.Checks;
using Monitor.Demo;
using Monitor.Tests.Support;

namespace Monitor.Tests.Demo;

/// <summary>The demo's budgets, sized from the scenario, against the real budget check on the scenario pulled by the real connectors.</summary>
public sealed class DemoBudgetsTests
{
    [Fact]
    public async Task For_DemoScenario_OpenAIPast80PercentWithForecastOver110_IncidentKeyOverItsWeek_MistralUnder80()
    {
        var scenario = DemoScenario.Create(PullHarness.Now, 40);
        var budgets = DemoBudgets.For(scenario, "mistral-test", "openai-test");
        var settings = new Dictionary<string, string?>();
        for (var i = 0; i < budgets.Count; i++)
        {
            var b = budgets[i];
            settings[$"Monitor:Budgets:{i}:Name"] = b.Name;
            settings[$"Monitor:Budgets:{i}:Scope:Account"] = b.Scope.Account;
            settings[$"Monitor:Budgets:{i}:Scope:KeyId"] = b.Scope.KeyId;
            settings[$"Monitor:Budgets:{i}:Amount"] = b.Amount.ToString(CultureInfo.InvariantCulture);
            settings[$"Monitor:Budgets:{i}:Currency"] = b.Currency;
            settings[$"Monitor:Budgets:{i}:Period"] = b.Period;
            settings[$"Monitor:Budgets:{i}:RollingDays"] = b.RollingDays.ToString(CultureInfo.InvariantCulture);
        }

        await using var harness = await PullHarness.StartAsync(days: 40, settings: settings);
        Assert.All(await harness.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None), r => Assert.True(r.Ok, r.Error));

        var statuses = (await harness.Get<BudgetEvaluator>().StatusesAsync(PullHarness.Now, CancellationToken.None)).ToDictionary(s => s.Budget.Name);

        var openAI = statuses["demo-openai-monthly"];
        Assert.InRange(openAI.Spent / openAI.Budget.Amount, 0.80m, 0.99m);
        Assert.True(openAI.Forecast / openAI.Budget.Amount > 1.10m, $"forecast {openAI.Forecast} of {openAI.Budget.Amount}");
        var key = statuses["demo-support-key-weekly"];
        Assert.Equal(("openai-test", "key_support"), (key.Budget.Scope.Account, key.Budget.Scope.KeyId));
        Assert.True(key.Spent > key.Budget.Amount, $"{key.Spent} of {key.Budget.Amount}");
        var mistral = statuses["demo-mistral-monthly"];
        Assert.True(mistral.Spent / mistral.Budget.Amount < 0.80m, $"{mistral.Spent} of {mistral.Budget.Amount}");
        Assert.Equal("EUR", mistral.Budget.Currency.ToString());
    }
}
