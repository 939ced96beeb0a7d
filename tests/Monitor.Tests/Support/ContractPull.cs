using Monitor.Demo;

namespace Monitor.Tests.Support;

/// <summary>
/// What the provider contract tests share: the fake server answering every endpoint of one account with its recorded
/// fixtures (tests/Fixtures), a pull of one day through the real pull path, and the ledger as rows to compare.
/// </summary>
public static class ContractPull
{
    /// <param name="fixtures">Serves the provider's fixtures.</param>
    /// <param name="overrides">Payloads served instead of the fixtures (registered first: the first match wins).</param>
    public static async Task<PullHarness> StartAsync(
        (string Prefix, string Kind) account, Action<FakeFixtures> fixtures, Action<FakeFixtures>? overrides = null,
        IDictionary<string, string?>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(fixtures);
        var h = await PullHarness.StartAsync(days: 7, accounts: [account], settings: settings);
        overrides?.Invoke(h.Server.Fixtures);
        fixtures(h.Server.Fixtures);
        return h;
    }

    /// <summary>Pulls [day, day + 1) of the account; the pull must succeed.</summary>
    public static async Task DayAsync(PullHarness h, string account, DateTimeOffset day)
    {
        ArgumentNullException.ThrowIfNull(h);
        var result = (await h.Pulls.PullAllAsync(account, day, day.AddDays(1), null, CancellationToken.None)).Single();
        Assert.True(result.Ok, result.Error);
    }

    /// <summary>Pulls the day twice: the second pull must leave every record as the first wrote it.</summary>
    public static async Task AssertSecondPullChangesNothingAsync(PullHarness h, string account, DateTimeOffset day)
    {
        await DayAsync(h, account, day);
        var first = await LedgerAsync(h, account);

        await DayAsync(h, account, day);

        Assert.Equal(first, await LedgerAsync(h, account));
    }

    /// <summary>The pull fails naming <paramref name="endpoint"/> as a walk that made no progress, and writes nothing.</summary>
    public static async Task AssertStuckPagingFailsAsync(PullHarness h, string account, DateTimeOffset day, string endpoint)
    {
        ArgumentNullException.ThrowIfNull(h);
        var result = (await h.Pulls.PullAllAsync(account, day, day.AddDays(1), null, CancellationToken.None)).Single();

        Assert.False(result.Ok);
        Assert.Contains(endpoint, result.Error, StringComparison.Ordinal);
        Assert.Contains("paging made no progress", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records"));
    }

    /// <summary>Every usage record of the account: identity, cost, units and cost source.</summary>
    public static Task<List<(string, string, string, string, long, long?, long, string)>> LedgerAsync(PullHarness h, string account)
    {
        ArgumentNullException.ThrowIfNull(h);
        return h.Ledger.QueryAsync<(string, string, string, string, long, long?, long, string)>(
            """
            SELECT workspace, key_id, model, category, bucket_start, cost_micros, units, cost_source FROM usage_records
            WHERE account = @account ORDER BY 1, 2, 3, 4, 5
            """, new { account });
    }
}
