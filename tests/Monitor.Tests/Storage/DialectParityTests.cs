using Monitor.Checks;
using Monitor.Storage;
using Monitor.Tests.Support;

namespace Monitor.Tests.Storage;

/// <summary>
/// The same end-to-end run on SQLite and on PostgreSQL: a pull of the fake providers' month through the real connectors,
/// then one check (budgets, anomalies, lifecycles) with its mail; the ledger totals and the alerts must be the same.
/// </summary>
public sealed class DialectParityTests
{
    private static Dictionary<string, string?> Settings(string pickup) => new()
    {
        ["Monitor:Budgets:0:Name"] = "openai-month",
        ["Monitor:Budgets:0:Scope:Account"] = "openai-test",
        ["Monitor:Budgets:0:Amount"] = "50",
        ["Monitor:Budgets:0:Currency"] = "USD",
        ["Monitor:Budgets:0:Period"] = "Month",
        ["Monitor:Budgets:0:TimeZone"] = "Europe/Paris",
        ["Monitor:Budgets:1:Name"] = "mistral-week",
        ["Monitor:Budgets:1:Scope:Account"] = "mistral-test",
        ["Monitor:Budgets:1:Amount"] = "5",
        ["Monitor:Budgets:1:Currency"] = "EUR",
        ["Monitor:Budgets:1:Period"] = "Week",
        ["Monitor:Budgets:1:TimeZone"] = "UTC",
        ["Monitor:Alerts:Email:To:0"] = "finops@example.com",
        ["Monitor:Alerts:Email:PickupDirectory"] = pickup,
    };

    private static async Task<(List<string> Usage, List<string> Rollup, List<string> Alerts, int Mails, int Raised)> PullAndCheckAsync(SqlDialect dialect)
    {
        var pickup = Directory.CreateTempSubdirectory("monitor-parity-").FullName;
        try
        {
            await using var h = await PullHarness.StartAsync(days: 30, settings: Settings(pickup), dialect: dialect);
            var pulls = await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None);
            Assert.All(pulls, p => Assert.True(p.Ok, p.Error));
            var check = await h.Get<CheckService>().RunAsync(null, true, CancellationToken.None);
            Assert.Empty(check.Failures);
            return (
                await h.Ledger.QueryAsync<string>(
                    """
                    SELECT account || ' ' || currency || ' ' || CAST(SUM(COALESCE(cost_micros, 0)) AS BIGINT) || ' ' || CAST(SUM(input_tokens + output_tokens) AS BIGINT)
                        || ' ' || CAST(SUM(requests) AS BIGINT) || ' ' || COUNT(*)
                    FROM usage_records GROUP BY account, currency ORDER BY 1
                    """),
                await h.Ledger.QueryAsync<string>(
                    "SELECT day || ' ' || account || ' ' || CAST(SUM(cost_micros) AS BIGINT) FROM usage_daily GROUP BY day, account ORDER BY 1"),
                await h.Ledger.QueryAsync<string>("SELECT dedup_key || ' ' || severity || ' ' || status || ' ' || delivery || ' ' || title FROM alerts ORDER BY dedup_key"),
                Directory.GetFiles(pickup, "*.eml").Length,
                check.Raised);
        }
        finally
        {
            Directory.Delete(pickup, recursive: true);
        }
    }

    [Fact]
    public async Task PullThenCheck_SameProvidersAndBudgets_SameLedgerTotalsAlertsAndMailOnBothDialects()
    {
        var sqlite = await PullAndCheckAsync(SqlDialect.Sqlite);
        var postgres = await PullAndCheckAsync(SqlDialect.Postgres);

        Assert.NotEmpty(sqlite.Usage);
        Assert.NotEmpty(sqlite.Alerts);
        Assert.Equal(sqlite.Usage, postgres.Usage);
        Assert.Equal(sqlite.Rollup, postgres.Rollup);
        Assert.Equal(sqlite.Alerts, postgres.Alerts);
        Assert.Equal((sqlite.Mails, sqlite.Raised), (postgres.Mails, postgres.Raised));
    }
}
