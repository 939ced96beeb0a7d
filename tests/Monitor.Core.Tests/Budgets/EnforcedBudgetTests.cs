using Monitor.Core.Budgets;
using Monitor.Core.Deprecations;
using Monitor.Core.Keys;
using Monitor.Core.Pricing;

namespace Monitor.Core.Tests.Budgets;

public sealed class EnforcedBudgetTests
{
    private static readonly DateTimeOffset Ten = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    private static BudgetDefinition Daily(decimal amount = 10m, BudgetScope? scope = null) => new()
    {
        Name = "cap", Scope = scope ?? new BudgetScope("acct"), Amount = amount, Currency = Currency.EUR, Period = BudgetPeriodKind.Day,
        TimeZone = Paris, Enforce = true,
    };

    private static long Eur(decimal amount) => MoneyUnits.ToMicros(amount);

    [Fact]
    public void Add_ReachingTheAmount_BlocksUntilTheLocalMidnight()
    {
        var budget = new EnforcedBudget(Daily(), Ten, Ten);

        budget.Add(Ten, Eur(9.99m), Ten);
        var below = budget.Block;
        budget.Add(Ten.AddSeconds(1), Eur(0.01m), Ten.AddSeconds(1));

        Assert.Null(below);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 23, 0, 0, TimeSpan.Zero), budget.Block!.Until);
        Assert.True(budget.Block.Refuses(Ten.AddHours(12.99)));
        Assert.False(budget.Block.Refuses(Ten.AddHours(13)));
    }

    [Fact]
    public void Add_AfterTheLocalMidnight_StartsTheNewDayFromNothing()
    {
        var budget = new EnforcedBudget(Daily(), Ten, Ten);
        budget.Add(Ten, Eur(12m), Ten);
        var midnight = new DateTimeOffset(2026, 11, 22, 23, 0, 0, TimeSpan.Zero);

        budget.Add(midnight.AddMinutes(-1), Eur(5m), midnight.AddSeconds(2)); // yesterday's call, metered late
        budget.Add(midnight.AddSeconds(1), Eur(3m), midnight.AddSeconds(2));

        Assert.Equal(3m, budget.Spent);
        Assert.Null(budget.Block);
    }

    [Fact]
    public void SetOthers_OtherNodesCallsReachTheAmount_BlocksAtOnceAndTheLedgerTakesThemOver()
    {
        var budget = new EnforcedBudget(Daily(), Ten, Ten);
        budget.Add(Ten, Eur(4m), Ten);

        budget.SetOthers(Eur(6m), Ten.AddSeconds(1)); // another node's calls since this one's cutoff
        var blocked = budget.Block;
        var three = Ten.AddMinutes(3);
        budget.Reconcile(Daily().PeriodAt(Ten), Eur(10m), Ten.AddMinutes(2), three, three); // the ledger holds both nodes' calls now

        Assert.NotNull(blocked);
        Assert.Equal(Ten.AddMinutes(2), budget.CountFrom); // the other nodes are counted from the new cutoff on
        Assert.Equal(10m, budget.Spent); // not 16: their part before the cutoff is the ledger's
    }

    [Fact]
    public void Reconcile_LedgerTakesOverTheMinutesBeforeTheCutoff()
    {
        var budget = new EnforcedBudget(Daily(), Ten, Ten);
        budget.Add(Ten, Eur(4m), Ten);
        budget.Add(Ten.AddMinutes(2), Eur(2m), Ten.AddMinutes(2));

        var three = Ten.AddMinutes(3);
        budget.Reconcile(Daily().PeriodAt(Ten), Eur(4m), Ten.AddMinutes(1), three, three);
        var handedOver = budget.Spent;
        budget.Add(Ten.AddSeconds(30), Eur(1m), three); // a long stream's call of 10:00, metered at 10:03: its minute is the ledger's
        var late = budget.Spent;
        budget.Reconcile(Daily().PeriodAt(Ten), Eur(4m), Ten.AddMinutes(1), three.AddSeconds(1), three.AddSeconds(1)); // read before its flush
        var beforeFlush = budget.Spent;
        budget.Reconcile(Daily().PeriodAt(Ten), Eur(5m), Ten.AddMinutes(1), three.AddSeconds(5), three.AddSeconds(5)); // the ledger has it
        budget.Reconcile(Daily().PeriodAt(Ten), Eur(99m), Ten, three.AddSeconds(9), three.AddSeconds(9)); // an older cutoff: ignored

        Assert.Equal((6m, 7m, 7m, 7m), (handedOver, late, beforeFlush, budget.Spent));
    }

    [Fact]
    public void With_RaisedAmount_KeepsTheSpendAndLiftsTheBlock()
    {
        var budget = new EnforcedBudget(Daily(10m), Ten, Ten);
        budget.Add(Ten, Eur(12m), Ten);

        var raised = budget.With(Daily(15m), Ten);

        Assert.NotNull(budget.Block);
        Assert.Equal((12m, (BudgetBlock?)null), (raised.Spent, raised.Block));
        Assert.True(budget.CountsLike(Daily(15m)));
        Assert.False(budget.CountsLike(Daily(15m, new BudgetScope("other"))));
    }

    [Fact]
    public void Matches_KeyIdWorkspaceAndModelAlias_ThroughTheListings()
    {
        var ci = KeyFingerprint.Of("sk-ci-pipeline-ZZZZ");
        var dev = KeyFingerprint.Of("sk-dev-laptop-AAAA");
        var directory = new CallerDirectory(
            [("acct", new ApiKeyInfo { KeyId = "key_ci", Workspace = "build", LastFour = "ZZZZ" })],
            [new AliasObservation("acct", "mistral-large-latest", "mistral-large-2411", Ten.AddDays(-3))]);

        Assert.True(EnforcedScope.Matches(new BudgetScope("acct", KeyId: "key_ci"), "acct", ci, null, directory));
        Assert.False(EnforcedScope.Matches(new BudgetScope("acct", KeyId: "key_ci"), "acct", dev, null, directory));
        Assert.True(EnforcedScope.Matches(new BudgetScope(KeyId: dev), "acct", dev, null, directory));
        Assert.True(EnforcedScope.Matches(new BudgetScope(Workspace: "build"), "acct", ci, null, directory));
        Assert.False(EnforcedScope.Matches(new BudgetScope(Workspace: "build"), "acct", dev, null, directory));
        Assert.True(EnforcedScope.Matches(new BudgetScope(Model: "mistral-large-2411"), "acct", dev, "mistral-large-latest", directory));
        Assert.True(EnforcedScope.Matches(new BudgetScope(Model: "mistral-large-latest"), "acct", dev, "mistral-large-2411", directory));
        Assert.False(EnforcedScope.Matches(new BudgetScope(Model: "mistral-large-2411"), "acct", dev, null, directory));
        Assert.False(EnforcedScope.Matches(new BudgetScope("other"), "acct", dev, null, directory));
    }
}
