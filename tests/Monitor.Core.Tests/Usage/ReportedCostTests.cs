using Monitor.Core.Usage;

namespace Monitor.Core.Tests.Usage;

public sealed class ReportedCostTests
{
    [Fact]
    public void Spread_ByWeights_SumsExactlyToTheRoundedReportedAmount()
    {
        var shares = ReportedCost.Spread(1.0000004m, [1m, 1m, 1m]);

        Assert.Equal([0.333333m, 0.333333m, 0.333334m], shares);
        Assert.Equal(1.000000m, shares.Sum());
    }

    [Fact]
    public void Spread_ZeroWeights_SplitsEvenly()
    {
        Assert.Equal([0.5m, 0.5m], ReportedCost.Spread(1m, [0m, 0m]));
    }

    [Fact]
    public void Spread_FollowsTheWeights()
    {
        Assert.Equal([0.25m, 0.75m], ReportedCost.Spread(1m, [10m, 30m]));
    }
}
