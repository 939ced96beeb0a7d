using Monitor.Demo;

namespace Monitor.Tests.Demo;

public sealed class DemoScenarioTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 15, 30, 0, TimeSpan.Zero);

    [Fact]
    public void Create_SameInputs_ProducesIdenticalScenario()
    {
        var a = DemoScenario.Create(Now);
        var b = DemoScenario.Create(Now);

        Assert.Equal(a.Hours, b.Hours);
        Assert.Equal(a.Keys, b.Keys);
        Assert.Equal(a.Workspaces, b.Workspaces);
        Assert.Equal(a.Incident, b.Incident);
    }

    [Fact]
    public void Create_OtherSeed_ProducesOtherHours()
    {
        var a = DemoScenario.Create(Now, seed: 1);
        var b = DemoScenario.Create(Now, seed: 2);

        Assert.NotEqual(a.Hours, b.Hours);
    }

    [Fact]
    public void Create_FixedNow_WindowEndsAtHourAndStartsAtMidnight()
    {
        var s = DemoScenario.Create(Now);

        Assert.Equal(new DateTimeOffset(2026, 11, 22, 15, 0, 0, TimeSpan.Zero), s.End);
        Assert.Equal(new DateTimeOffset(2026, 8, 24, 0, 0, 0, TimeSpan.Zero), s.Start);
        Assert.All(s.Hours, h => Assert.InRange(h.HourStart, s.Start, s.End.AddHours(-1)));
        Assert.All(s.Hours, h => Assert.True(h.InputTokens + h.CachedInputTokens + h.OutputTokens > 0));
    }

    [Fact]
    public void Create_MistralAndOpenAIModels_AreTheEightOfTheBrief()
    {
        var s = DemoScenario.Create(Now);

        var models = s.Hours.Where(h => h.Provider is DemoScenario.Mistral or DemoScenario.OpenAI)
            .Select(h => (h.Provider, h.Model)).Distinct().Order().ToArray();
        Assert.Equal(
            [
                ("mistral", "codestral-2508"), ("mistral", "mistral-embed"), ("mistral", "mistral-large-2512"),
                ("mistral", "mistral-medium-2505"), ("mistral", "mistral-small-2603"),
                ("openai", "gpt-4.1-2025-04-14"), ("openai", "gpt-4o-mini-2024-07-18"), ("openai", "text-embedding-3-small"),
            ],
            models);
        Assert.All(s.Hours.Where(h => h.Workspace == "proj_batch"), h => Assert.True(h.Batch));
        Assert.All(s.Hours.Where(h => h.Workspace != "proj_batch"), h => Assert.False(h.Batch));
        Assert.All(s.Hours.Where(h => DemoScenario.IsEmbeddingModel(h.Model)), h => Assert.Equal(0, h.OutputTokens + h.CachedInputTokens));
    }

    [Fact]
    public void Create_Keys_CarryRotationAndExpirySignals()
    {
        var s = DemoScenario.Create(Now);

        var mistral = s.Keys.Where(k => k.Provider == DemoScenario.Mistral).ToArray();
        Assert.Equal(3, mistral.Length);
        Assert.Single(mistral, k => (Now - k.CreatedAt).TotalDays > 199);
        Assert.Single(mistral, k => k.ExpiresAt is { } e && (e - Now).TotalDays is > 19 and < 21);
        Assert.Single(s.Keys, k => k.Provider == DemoScenario.OpenAI && (Now - k.CreatedAt).TotalDays > 149);
        Assert.Single(s.Keys, k => k.IsAdmin);
        Assert.Equal(["key_batch", "key_support", "key_webapp"], s.Keys.Where(k => k.Provider == DemoScenario.OpenAI && !k.IsAdmin).Select(k => k.KeyId).Order());
    }

    [Fact]
    public void Create_MonthlySpend_IsInTheBriefsRange()
    {
        var s = DemoScenario.Create(Now);
        var from = s.End.AddDays(-30);

        var mistral = s.Hours.Where(h => h.Provider == DemoScenario.Mistral && h.HourStart >= from).Sum(s.CostOf);
        var openai = s.Hours.Where(h => h.Provider == DemoScenario.OpenAI && h.HourStart >= from).Sum(s.CostOf);

        Assert.InRange(mistral, 150m, 900m);
        Assert.InRange(openai, 250m, 1200m);
    }

    [Fact]
    public void Create_IncidentNight_SpendsAtLeastFiveTimesTheNormalNight()
    {
        var s = DemoScenario.Create(Now);
        var incident = s.Incident;
        decimal NightCost(DateTimeOffset start) => s.Hours
            .Where(h => h.KeyId == incident.KeyId && h.HourStart >= start && h.HourStart < start + (incident.End - incident.Start))
            .Sum(s.CostOf);

        var incidentNight = NightCost(incident.Start);
        var normalNight = Enumerable.Range(1, 7).Average(d => NightCost(incident.Start.AddDays(-d)));

        Assert.Equal("key_support", incident.KeyId);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 5, 0, 0, TimeSpan.Zero), incident.Start);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero), incident.End);
        Assert.True(incidentNight >= 5 * normalNight, $"incident {incidentNight} vs normal {normalNight}");
    }
}
