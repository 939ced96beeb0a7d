using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Hosting;
using Monitor.Providers;

namespace Monitor.Tests.Providers;

/// <summary>The kit piece that lays a daily bill over hourly usage: exact per bill, nothing counted twice.</summary>
public sealed class DailyCostSpreadTests
{
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
    private static readonly DailyCostSpread.Bill Bill = new(Day, "proj", "key");
    private static readonly RecordFactory Factory = new(new ProviderOptions { Name = "acct", Kind = "OpenAI" }, Day);

    [Fact]
    public void Records_LinesOverHours_SplitByEstimate_EachLineExactAndTheBillToTheMicroUnit()
    {
        var usage = new UsageTally();
        Hour(usage, 9, "m", 1m);
        Hour(usage, 10, "m", 2m);
        var spread = Spread(usage);

        spread.Add(Bill, 1.0000004m, ["m"], DayRecord());
        spread.Add(Bill, 0.9999999m, ["m"], DayRecord());

        var records = spread.Records(Factory, Currency.USD).ToList();
        // 1.9999999 + 0.0000004 = 2.0000003, to the micro-unit 2.000000: one third and two thirds of it.
        Assert.Equal([0.666667m, 1.333333m], records.Select(r => r.Cost!.Value));
        Assert.All(records, r => Assert.Equal(CostSource.Reported, r.CostSource));
        Assert.Equal([1m, 2m], records.Select(r => r.EstimatedCost!.Value));
    }

    [Fact]
    public void Records_LineNamingNoUsage_IsADayRecord_AndTheBillsUsageCountsZeroBesideIt()
    {
        var usage = new UsageTally();
        Hour(usage, 9, "m", 1.5m);
        var spread = Spread(usage);

        spread.Add(Bill, 4.25m, ["input_tokens"], DayRecord());

        var records = spread.Records(Factory, Currency.USD).ToList();
        Assert.Equal(
            [("m", BucketWidth.Hour, 0m, 1.5m), ("(unattributed)", BucketWidth.Day, 4.25m, (decimal?)null)],
            records.Select(r => (r.Model, r.BucketWidth, r.Cost!.Value, r.EstimatedCost)));
    }

    [Fact]
    public void Records_BillWithoutLines_KeepsItsEstimates_UsageOutsideAnyBillToo()
    {
        var usage = new UsageTally();
        Hour(usage, 9, "m", 1.5m);
        Hour(usage, 10, "priority", 2m);
        var spread = new DailyCostSpread(usage, key => key.Model == "priority" ? null
            : new DailyCostSpread.Billing(new DailyCostSpread.Bill(Day, key.Workspace, key.KeyId), key.Model));

        spread.Add(new DailyCostSpread.Bill(Day, "other", "key"), 3m, ["m"], DayRecord() with { Workspace = "other" });

        var records = spread.Records(Factory, Currency.USD).ToList();
        Assert.Equal(
            [("m", 1.5m, CostSource.Estimated), ("priority", 2m, CostSource.Estimated), ("(unattributed)", 3m, CostSource.Reported)],
            records.Select(r => (r.Model, r.Cost!.Value, r.CostSource)));
    }

    [Fact]
    public void Records_PricedAndUnpricedUsageOfOnePayee_TheLinePaysThePricedUsage_UnitsOnlyWhenNothingIsPriced()
    {
        var usage = new UsageTally();
        Hour(usage, 9, "m", 1m);
        usage.At(new UsageKey("acct", "proj", "key", "m", Day.AddHours(9), BucketWidth.Hour, "web_search_calls")).AddUnits(25, "calls");
        usage.At(new UsageKey("acct", "proj", "key", "m", Day.AddHours(9), BucketWidth.Hour, "web_search_calls")).AddEstimate(null);
        usage.At(new UsageKey("acct", "proj", "key", "img", Day.AddHours(9), BucketWidth.Hour, "images")).AddUnits(3, "images");
        usage.At(new UsageKey("acct", "proj", "key", "img", Day.AddHours(10), BucketWidth.Hour, "images")).AddUnits(1, "images");
        usage.At(new UsageKey("acct", "proj", "key", "img", Day.AddHours(9), BucketWidth.Hour, "images")).AddEstimate(null);
        usage.At(new UsageKey("acct", "proj", "key", "img", Day.AddHours(10), BucketWidth.Hour, "images")).AddEstimate(null);
        var spread = Spread(usage);

        spread.Add(Bill, 2m, ["m"], DayRecord());
        spread.Add(Bill, 0.40m, ["img"], DayRecord());

        Assert.Equal([2m, 0m, 0.30m, 0.10m], spread.Records(Factory, Currency.USD).Select(r => r.Cost!.Value));
    }

    private static DailyCostSpread Spread(UsageTally usage) =>
        new(usage, key => new DailyCostSpread.Billing(new DailyCostSpread.Bill(Monitor.Providers.Windows.FloorDay(key.BucketStart), key.Workspace, key.KeyId), key.Model));

    private static void Hour(UsageTally usage, int hour, string model, decimal estimate)
    {
        var sums = usage.At(new UsageKey("acct", "proj", "key", model, Day.AddHours(hour), BucketWidth.Hour));
        sums.Tokens += new TokenCounts(1000, 0, 0, 100, 0);
        sums.AddEstimate(estimate);
    }

    private static UsageKey DayRecord() => new("acct", "proj", "key", "(unattributed)", Day, BucketWidth.Day);
}
