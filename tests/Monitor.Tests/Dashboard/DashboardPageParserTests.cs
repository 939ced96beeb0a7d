using Monitor.Dashboard;
using Monitor.Storage;

namespace Monitor.Tests.Dashboard;

public sealed class DashboardPageParserTests
{
    private const string Source = "dashboards/overview.json";

    [Fact]
    public void Load_MissingDirectory_UsesEmbeddedOverview()
    {
        var catalog = DashboardCatalog.Load("no-such-folder-" + Guid.NewGuid().ToString("N"), Path.GetTempPath());

        var page = catalog.Home;

        Assert.Equal("overview", page.Slug);
        Assert.Collection(page.Panels,
            p => Assert.Equal((PanelMetric.Forecast, PanelGrouping.Account, PanelWindow.MonthToDate, PanelKind.List), (p.Metric, p.Grouping, p.Window, p.Kind)),
            p => Assert.Equal((PanelMetric.BudgetUse, PanelKind.Gauge), (p.Metric, p.Kind)),
            p => Assert.Equal((PanelMetric.Cost, PanelGrouping.Model, PanelWindow.Last90Days, PanelKind.StackedBar), (p.Metric, p.Grouping, p.Window, p.Kind)),
            p => Assert.Equal((PanelMetric.Cost, PanelGrouping.Key, PanelWindow.Last30Days, PanelKind.Table, 10), (p.Metric, p.Grouping, p.Window, p.Kind, p.Limit)),
            p => Assert.Equal((PanelMetric.Cost, PanelGrouping.Model, PanelWindow.Last30Days, PanelKind.Table, 10), (p.Metric, p.Grouping, p.Window, p.Kind, p.Limit)),
            p => Assert.Equal((PanelMetric.Tokens, PanelGrouping.TokenCategory, PanelWindow.Last30Days, PanelKind.Line), (p.Metric, p.Grouping, p.Window, p.Kind)),
            p => Assert.Equal((PanelMetric.Unmetered, PanelGrouping.Account, PanelWindow.Last7Days, PanelKind.Table), (p.Metric, p.Grouping, p.Window, p.Kind)));
        Assert.Equal(
            [PageSection.Alerts, PageSection.Deprecations, PageSection.KeysDue, PageSection.Freshness, PageSection.Reconciliation, PageSection.UsageSources,
             PageSection.SpendLimits, PageSection.Unpriced],
            page.Sections);
    }

    [Theory]
    [InlineData("""{"title":"b","metric":"budget_use","kind":"gauge","window":"mtd"}""", "panels[0].window: budget_use takes no grouping or window")]
    [InlineData("""{"title":"b","metric":"budget_use","kind":"line"}""", "panels[0].kind: 'line' cannot show budget_use: use gauge or table")]
    [InlineData("""{"title":"g","metric":"cost","grouping":"model","window":"mtd","kind":"gauge"}""", "panels[0].kind: 'gauge' shows budgets only")]
    [InlineData("""{"title":"f","metric":"forecast","grouping":"account","window":"30d","kind":"table"}""", "panels[0].window: '30d' cannot be forecast")]
    [InlineData("""{"title":"f","metric":"forecast","grouping":"account","window":"mtd","kind":"line"}""", "panels[0].kind: 'line' cannot show a forecast: use table or list")]
    [InlineData("""{"title":"u","metric":"unmetered","grouping":"account","window":"7d","kind":"stacked_bar"}""", "panels[0].kind: 'stacked_bar' cannot show unmetered usage: use table")]
    [InlineData("""{"title":"u","metric":"unmetered","grouping":"key","window":"7d","kind":"table"}""", "panels[0].grouping: 'key' cannot group unmetered usage")]
    public void Parse_NewMetricRules_FailNamingField(string panel, string expected)
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            DashboardPageParser.Parse("dashboards/x.json", $$"""{"slug":"x","title":"X","panels":[{{panel}}]}""", "x"));

        Assert.StartsWith("dashboards/x.json: " + expected, error.Message);
    }

    [Theory]
    [InlineData("""["alerts","nope"]""", "sections[1]: 'nope' is not one of alerts, deprecations, keys_due, freshness, reconciliation, spend_limits, unpriced, usage_sources")]
    [InlineData("""["alerts","alerts"]""", "sections[1]: 'alerts' is listed twice")]
    [InlineData("\"alerts\"", "sections: must be an array of alerts, deprecations")]
    public void Parse_BadSections_FailNamingField(string sections, string expected)
    {
        var json = $$"""{"slug":"x","title":"X","sections":{{sections}},"panels":[{"title":"c","metric":"cost","grouping":"model","window":"7d","kind":"list"}]}""";

        var error = Assert.Throws<InvalidOperationException>(() => DashboardPageParser.Parse("dashboards/x.json", json, "x"));

        Assert.StartsWith("dashboards/x.json: " + expected, error.Message);
    }

    [Fact]
    public void Parse_NoSections_KeepsTheEarlierFixedSections()
    {
        var page = DashboardPageParser.Parse("dashboards/x.json",
            """{"slug":"x","title":"X","panels":[{"title":"b","metric":"budget_use","kind":"table"}]}""", "x");

        Assert.Equal([PageSection.Freshness, PageSection.SpendLimits, PageSection.Unpriced], page.Sections);
        Assert.Equal(PanelMetric.BudgetUse, page.Panels[0].Metric);
    }

    [Theory]
    [InlineData("\"metric\":\"money\"", "panels[0].metric: 'money' is not one of cost, tokens, requests")]
    [InlineData("\"grouping\":\"team\"", "panels[0].grouping: 'team' is not one of provider, account, workspace, key, model, token_category")]
    [InlineData("\"window\":\"1y\"", "panels[0].window: '1y' is not one of mtd, 7d, 30d, 90d")]
    [InlineData("\"kind\":\"pie\"", "panels[0].kind: 'pie' is not one of line, stacked_bar, table")]
    [InlineData("\"grouping\":\"token_category\"", "panels[0].grouping: 'token_category' needs metric 'tokens', not 'cost'")]
    [InlineData("\"limit\":0", "panels[0].limit: '0' must be a whole number from 1 to 100")]
    [InlineData("\"colour\":\"red\"", "panels[0].colour: unknown field")]
    public void Parse_BadPanelField_ThrowsNamingFileAndField(string replacement, string expected)
    {
        var field = replacement[1..replacement.IndexOf('"', 1)];
        var panel = new Dictionary<string, string>
        {
            ["title"] = "\"a\"", ["metric"] = "\"cost\"", ["grouping"] = "\"account\"", ["window"] = "\"mtd\"", ["kind"] = "\"table\"",
        };
        var fields = panel.Where(p => p.Key != field).Select(p => $"\"{p.Key}\":{p.Value}").Append(replacement);
        var json = $$"""{"slug":"overview","title":"Overview","panels":[{{{string.Join(",", fields)}}}]}""";

        var error = Assert.Throws<InvalidOperationException>(() => DashboardPageParser.Parse(Source, json, "overview"));

        Assert.StartsWith($"{Source}: {expected}", error.Message);
    }

    [Theory]
    [InlineData("""{"title":"x","panels":[]}""", "slug: is required")]
    [InlineData("""{"slug":"other","title":"x","panels":[]}""", "slug: 'other' must equal the file name 'overview'")]
    [InlineData("""{"slug":"overview","title":"x","panels":[]}""", "panels: must be a non-empty array")]
    [InlineData("""{"slug":"overview","panels":[]}""", "title: is required")]
    [InlineData("""[1]""", "(file): must be a JSON object")]
    [InlineData("""{"slug":""", "(file): not valid JSON")]
    public void Parse_BadPage_ThrowsNamingFileAndField(string json, string expected)
    {
        var error = Assert.Throws<InvalidOperationException>(() => DashboardPageParser.Parse(Source, json, "overview"));

        Assert.StartsWith($"{Source}: {expected}", error.Message);
    }

    [Fact]
    public void RangeOf_Windows_AreUtcDaysEndingTomorrow()
    {
        var now = new DateTimeOffset(2025, 6, 15, 23, 30, 0, TimeSpan.FromHours(-2)); // 2025-06-16 01:30 UTC

        var mtd = PanelWindow.MonthToDate.RangeOf(now);
        var week = PanelWindow.Last7Days.RangeOf(now);

        Assert.Equal(new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero), mtd.From);
        Assert.Equal(new DateTimeOffset(2025, 6, 17, 0, 0, 0, TimeSpan.Zero), mtd.To);
        Assert.Equal(new DateTimeOffset(2025, 6, 10, 0, 0, 0, TimeSpan.Zero), week.From);
    }
}
