using System.Net;
using System.Text.RegularExpressions;
using Monitor.Alerts;
using Monitor.Core.Alerts;
using Monitor.Storage;

namespace Monitor.Tests.Dashboard;

/// <summary><c>GET /alerts/{id}</c> and <c>/alerts/{id}/chart.png</c> on a real host: one stored alert with its evidence.</summary>
public sealed partial class AlertPageTests
{
    private const string Script = "<script>alert(1)</script>";
    private static readonly DateTimeOffset Now = new(2025, 6, 15, 12, 0, 0, TimeSpan.Zero);
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly AlertDecision Budget = new()
    {
        Kind = AlertKind.BudgetThreshold, Severity = AlertSeverity.Critical, Account = "mistral-eu", Workspace = "search", KeyId = "key-a",
        Model = "mistral-large-2512", Title = "[Budget 100%] team: EUR 104.00 of EUR 100.00", Detail = "The team budget is spent.",
        DedupKey = "budget:team:1", OccurredAt = Now.AddHours(-5),
        Evidence = new AlertEvidence
        {
            Facts = [new AlertFact("Spent", "EUR 104.00")],
            Breakdowns = [new AlertBreakdown("Top models", [new AlertFact("mistral-large-2512", "EUR 78.00")])],
            Runbook = ["Look at the top keys", "Raise the budget or stop the spender"],
            Chart = new AlertChart
            {
                Title = "Spend this month", Unit = "EUR",
                Series = [new AlertChartSeries("spend", [new AlertChartPoint(Now.AddDays(-2), 40), new AlertChartPoint(Now.AddDays(-1), 80), new AlertChartPoint(Now, 104)])],
                Lines = [new AlertChartLine("budget", 100)],
            },
        },
    };

    [Fact]
    public async Task AlertPage_StoredAlert_ShowsScopeEvidenceRunbookChartAndForms()
    {
        long id = 0;
        await using var app = await DashboardTestApp.StartAsync(Now, async db => id = await InsertAsync(db, Budget));

        using var response = await app.Client.GetAsync($"/alerts/{id}");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("<h2 class=\"sev-critical\">[Budget 100%] team: EUR 104.00 of EUR 100.00</h2>", html);
        Assert.Contains("budget_threshold · critical · open", html);
        foreach (var value in new[] { "mistral-eu", "search", "key-a", "mistral-large-2512", "EUR 104.00", "Top models", "EUR 78.00", "2025-06-15 07:00 UTC" })
            Assert.Contains(value, html);
        Assert.Contains("<ol class=\"runbook\"><li>Look at the top keys</li><li>Raise the budget or stop the spender</li></ol>", html);
        Assert.Contains($"<img src=\"/alerts/{id}/chart.png\" alt=\"Spend this month\"", html);
        Assert.Contains($"action=\"/alerts/{id}/ack\"", html);
        Assert.Contains($"action=\"/alerts/{id}/mute\"", html);
        Assert.Contains("value=\"2025-06-22\"", html); // mute for a week by default
    }

    [Fact]
    public async Task AlertPage_AcknowledgeFormPosted_MarksItAcknowledged()
    {
        long id = 0;
        await using var app = await DashboardTestApp.StartAsync(Now, async db => id = await InsertAsync(db, Budget));
        var html = await app.Client.GetStringAsync($"/alerts/{id}");
        var token = WebUtility.HtmlDecode(Token().Match(html).Groups[1].Value);

        using var posted = await app.Client.PostAsync($"/alerts/{id}/ack", new FormUrlEncodedContent(new Dictionary<string, string> { ["__token"] = token }));
        var after = await app.Client.GetStringAsync($"/alerts/{id}");

        Assert.Equal(HttpStatusCode.OK, posted.StatusCode); // redirected to the overview
        Assert.Contains("budget_threshold · critical · acknowledged", after);
        Assert.DoesNotContain("/ack\"", after); // no forms on a handled alert
    }

    [Fact]
    public async Task AlertPage_TitleDetailAndEvidenceWithScriptTags_RenderAsText()
    {
        long id = 0;
        var evil = Budget with
        {
            Title = "[Anomaly] " + Script, Detail = "spend on " + Script, Model = Script,
            Evidence = Budget.Evidence with { Runbook = ["Check " + Script], Facts = [new AlertFact("Model", "<img src=x onerror=alert(1)>")] },
        };
        await using var app = await DashboardTestApp.StartAsync(Now, async db => id = await InsertAsync(db, evil));

        var html = await app.Client.GetStringAsync($"/alerts/{id}");

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
        Assert.Contains("[Anomaly] &lt;script&gt;alert(1)&lt;/script&gt;</h2>", html);
        Assert.Contains("<li>Check &lt;script&gt;alert(1)&lt;/script&gt;</li>", html);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html);
    }

    [Fact]
    public async Task AlertChart_AlertWithChart_ReturnsPng()
    {
        long id = 0;
        await using var app = await DashboardTestApp.StartAsync(Now, async db => id = await InsertAsync(db, Budget));

        using var response = await app.Client.GetAsync($"/alerts/{id}/chart.png");
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(PngSignature, bytes[..8]);
        Assert.True(bytes.Length > 5_000, $"{bytes.Length} bytes");
    }

    [Fact]
    public async Task AlertPageAndChart_NoSuchAlertOrNoChart_Return404()
    {
        long plain = 0;
        await using var app = await DashboardTestApp.StartAsync(Now, async db =>
            plain = await InsertAsync(db, Budget with { DedupKey = "plain", Evidence = AlertEvidence.None }));

        using var missingPage = await app.Client.GetAsync("/alerts/999");
        using var missingChart = await app.Client.GetAsync("/alerts/999/chart.png");
        using var noChart = await app.Client.GetAsync($"/alerts/{plain}/chart.png");
        var page = await app.Client.GetStringAsync($"/alerts/{plain}");

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound), (missingPage.StatusCode, missingChart.StatusCode, noChart.StatusCode));
        Assert.Equal("No alert 999.", await missingPage.Content.ReadAsStringAsync());
        Assert.Contains("No evidence was stored with this alert.", page);
        Assert.DoesNotContain("<img", page);
    }

    [Fact]
    public async Task Overview_OpenAlert_TitleLinksToItsPage()
    {
        long id = 0;
        await using var app = await DashboardTestApp.StartAsync(Now, async db => id = await InsertAsync(db, Budget with { Title = "a <b> title" }));

        var html = await app.Client.GetStringAsync("/");

        Assert.Contains($"<a href=\"/alerts/{id}\">a &lt;b&gt; title</a>", html);
    }

    private static async Task<long> InsertAsync(Database database, AlertDecision d)
    {
        await using var c = await database.OpenAsync(CancellationToken.None);
        await using var tx = await c.BeginTransactionAsync();
        var id = await AlertRepository.InsertAsync(c, tx, d, Now.AddHours(-2), AlertStatus.Open, "immediate", CancellationToken.None);
        await tx.CommitAsync();
        return id!.Value;
    }

    [GeneratedRegex("name=\"__token\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
