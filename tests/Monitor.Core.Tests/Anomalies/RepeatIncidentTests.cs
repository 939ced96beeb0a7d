using Monitor.Core.Anomalies;
using Monitor.Tests.Shared;

namespace Monitor.Core.Tests.Anomalies;

/// <summary>A key that has had an incident must still alert on the next one; a launch must not keep alerting.</summary>
public sealed class RepeatIncidentTests
{
    private const double Daily = 48;

    [Theory]
    [InlineData(7, 3)]   // the demo's overnight burst, a second one three days later
    [InlineData(7, 1)]   // a second burst the next night
    [InlineData(30, 2)]  // a leak burning for more than a day (longer than the level-shift acceptance), back two days later
    [InlineData(60, 4)]  // two and a half days of burning, back four days later
    public void Run_IncidentQuietDaysSecondIncident_BothAlert(int firstHours, int quietDays)
    {
        var first = 40 * 24 + 1;
        var second = first + firstHours + quietDays * 24;
        var cost = Office(70);
        Burn(cost, first, firstHours, Daily * 10 / 7);
        Burn(cost, second, 6, Daily * 10 / 7);

        var incidents = AnomalyScenarios.Run(AnomalyScenarios.FromCost("repeat", cost), new AnomalyRules()).Incidents;

        Assert.Equal([AnomalyScenarios.FirstHour + first, AnomalyScenarios.FirstHour + second], incidents.Select(i => i.Start));
        Assert.All(incidents, i => Assert.InRange(i.ReportableAt!.Value - i.Start, 0, 1));
    }

    [Fact]
    public void Run_BurstAfterASilentDay_AlertsAtItsStart()
    {
        // The key stops (its caller is down for a day), then a leak burns it.
        var silent = 40 * 24 + 15;
        var burst = silent + 24;
        var cost = Office(60);
        Array.Clear(cost, silent, 24);
        Burn(cost, burst, 6, Daily);

        var incidents = AnomalyScenarios.Run(AnomalyScenarios.FromCost("silent", cost), new AnomalyRules()).Incidents;

        var incident = Assert.Single(incidents);
        Assert.Equal(AnomalyScenarios.FirstHour + burst, incident.Start);
        Assert.Equal(AnomalyScenarios.FirstHour + burst, incident.ReportableAt);
    }

    [Fact]
    public void Run_LaunchTriplingTheLevelForGood_AlertsAtMostOnceThenStaysQuiet()
    {
        var launch = 40 * 24 + 9;
        var cost = Office(90);
        for (var h = launch; h < cost.Length; h++)
            cost[h] *= 1 + 2 * Math.Min(1, (h - launch) / 24.0);

        var incidents = AnomalyScenarios.Run(AnomalyScenarios.FromCost("launch", cost), new AnomalyRules()).Incidents;

        Assert.InRange(incidents.Count, 0, 1);
        Assert.All(incidents, i => Assert.InRange(i.End - AnomalyScenarios.FirstHour, launch, launch + 5 * 24));
    }

    [Theory]
    [InlineData(1, false)] // one flagged hour of 0.6 extra: below 2 so far, no pace yet
    [InlineData(2, true)]  // two hours at 0.6 an hour: 14 a day if it continues, over the 10 a day guard
    public void Add_SmallKeyBurningFast_ReportableOnItsPaceAfterTwoHours(int hours, bool reportable)
    {
        var tracker = new IncidentTracker(new AnomalyRules());
        for (var h = 0; h < hours; h++)
            tracker.Add(new KeyHour(1000 + h, 0.65, 0.05, 0.6, 0.9, AnomalySignals.Spike, true));

        Assert.Equal(reportable ? 1001 : null, tracker.Open!.ReportableAt);
    }

    // An office-hours key spending about 48 a day on weekdays, with mild noise (the same every run).
    private static double[] Office(int days)
    {
        var random = new Random(17);
        var cost = new double[days * 24];
        for (var h = 0; h < cost.Length; h++)
        {
            var local = h % 24;
            var weekend = h / 24 % 7 >= 5;
            var shape = local is >= 8 and < 18 ? 2.0 : 0.2;
            cost[h] = Daily / 24 * shape * (weekend ? 0.3 : 1) * (0.85 + 0.3 * random.NextDouble());
        }

        return cost;
    }

    private static void Burn(double[] cost, int from, int hours, double perHour)
    {
        for (var h = from; h < from + hours; h++)
            cost[h] += perHour;
    }
}
