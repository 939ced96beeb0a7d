using System.Globalization;
using Microsoft.Playwright;
using Monitor.Checks;
using Monitor.Core.Alerts;
using Monitor.Core.Pricing;

namespace Monitor.Tests.Dashboard;

/// <summary>
/// The overview's "deprecations due" and "keys due" from the real sources on the demo data: what the page shows is
/// what the sources return, and the sources list what the deprecation and key checks remind about.
/// </summary>
public sealed class LifecycleSourcesBrowserTests(LifecycleBrowserFixture fixture) : IClassFixture<LifecycleBrowserFixture>
{
    private static readonly DateTimeOffset Now = LifecycleBrowserFixture.Now;

    [Fact]
    public async Task Overview_RealSources_ShowsDeprecationsAndKeysDueWithTheSourcesNumbers()
    {
        var deprecations = await fixture.Deprecations.DeprecationsAsync(Now, CancellationToken.None);
        var keys = await fixture.Keys.KeysDueAsync(Now, CancellationToken.None);
        var page = await fixture.Browser.NewPageAsync();

        await page.GotoAsync(fixture.Url("/"));

        // The demo's Mistral account calls a model retiring 45 days after the scenario's now; its support key turns 90 days old tomorrow.
        var medium = Assert.Single(deprecations, d => d.Model == "mistral-medium-2505");
        Assert.Equal(("mistral-test", 45, "mistral-medium-3-5", "EUR"), (medium.Account, medium.DaysLeft, medium.Replacement, medium.Currency));
        Assert.True(medium.SpendPerMonth > 0);
        var support = Assert.Single(keys, k => k.KeyId == "key_support");
        Assert.Equal((1, "rotation: maximum age 90 days", "fay.chen@example.com"), (support.DaysLeft, support.Reason, support.Owner));
        Assert.Contains(keys, k => k.KeyId == "key_batch" && k.DaysLeft == -60);

        var depRows = page.Locator("#deprecations tbody tr");
        Assert.Equal(deprecations.Count, await depRows.CountAsync());
        foreach (var d in deprecations)
        {
            var cells = await depRows.Filter(new() { HasText = d.Model }).Filter(new() { HasText = d.Account }).Locator("td").AllInnerTextsAsync();
            Assert.Equal(
                [d.Model, d.Account, Day(d.RetiresAt), Text(d.DaysLeft), d.Replacement ?? "none announced",
                 MoneyUnits.Display(d.SpendPerMonth, Enum.Parse<Currency>(d.Currency)), string.Join(", ", d.CalledBy)],
                cells.Select(c => c.Trim()));
        }

        var keyRows = page.Locator("#keys-due tbody tr");
        Assert.Equal(keys.Count, await keyRows.CountAsync());
        foreach (var k in keys)
        {
            var row = keyRows.Filter(new() { HasText = k.KeyId }).Filter(new() { HasText = k.Reason });
            var cells = await row.Locator("td").AllInnerTextsAsync();
            Assert.Contains(k.Fingerprint, cells[0], StringComparison.Ordinal);
            Assert.Equal(
                [k.Account, k.Owner ?? "", k.CreatedAt is { } c ? Day(c) : "unknown", Day(k.DueAt), Text(k.DaysLeft), k.Reason],
                cells.Skip(1).Select(c => c.Trim()));
        }

        await BrowserFixture.ScreenshotAsync(page, "overview-lifecycle");
        await page.CloseAsync();
    }

    [Fact]
    public async Task Sources_DemoData_ListExactlyWhatTheChecksRemindAbout()
    {
        var evaluators = fixture.Harness.Get<IEnumerable<IAlertEvaluator>>().ToList();
        var context = new CheckContext(Now, null);
        var deprecationAlerts = await evaluators.OfType<DeprecationEvaluator>().Single().EvaluateAsync(context, CancellationToken.None);
        var keyAlerts = await evaluators.OfType<KeyRotationEvaluator>().Single().EvaluateAsync(context, CancellationToken.None);

        var deprecations = await fixture.Deprecations.DeprecationsAsync(Now, CancellationToken.None);
        var keys = await fixture.Keys.KeysDueAsync(Now, CancellationToken.None);

        Assert.Equal(
            deprecationAlerts.Where(a => a.Kind == AlertKind.Deprecation).Select(a => $"{a.Account}/{a.Model}").Order(StringComparer.Ordinal),
            deprecations.Select(d => $"{d.Account}/{d.Model}").Order(StringComparer.Ordinal));
        var reminders = keyAlerts.Where(a => a.Kind is AlertKind.KeyRotation or AlertKind.KeyExpiry or AlertKind.KeyUnused
            && !a.DedupKey.Contains(":replaced-by:", StringComparison.Ordinal));
        Assert.Equal(
            reminders.Select(a => $"{a.Account}/{a.KeyId}").Order(StringComparer.Ordinal),
            keys.Select(k => $"{k.Account}/{k.KeyId}").Order(StringComparer.Ordinal));
        Assert.Equal(keys.OrderBy(k => k.DueAt).ThenBy(k => k.Account, StringComparer.Ordinal).ThenBy(k => k.KeyId, StringComparer.Ordinal), keys);
        Assert.Equal(deprecations.OrderBy(d => d.DaysLeft), deprecations);
    }

    private static string Day(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
