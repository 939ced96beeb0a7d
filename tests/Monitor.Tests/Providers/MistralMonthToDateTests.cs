using Monitor.Demo;
using Monitor.Tests.Support;

namespace Monitor.Tests.Providers;

/// <summary>
/// Mistral rows are dated (daily buckets); a row without a date (no public payload shows one, but the rows are untyped
/// in the spec) and the fine-tuning storage integers are counted month to date: each poll is kept, the month's buckets
/// are derived from the growth between polls, and dated rows in the same pull are written as they are.
/// </summary>
public sealed class MistralMonthToDateTests
{
    private const string Workspace = "5f3c9a1e-2b7d-4c8e-9a6f-1d2e3f4a5b6c";
    private const string Usage = "/mistral/v1/admin/usage";
    private static readonly (string, string)[] MistralOnly = [("mistral", "Mistral")];
    private static readonly DateTimeOffset November = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Pull_UndatedRows_MonthIsTheLatestTotal_GrowthSpreadOverTheHoursBetweenPolls_DatedRowsAsSent()
    {
        await using var h = await StartAsync(PullHarness.Now.AddHours(-5));
        await PollAsync(h, PullHarness.Now.AddHours(-5), undatedInput: 1_000_000);
        await PollAsync(h, PullHarness.Now.AddHours(-3), undatedInput: 1_600_000);
        await PollAsync(h, PullHarness.Now.AddHours(-1), undatedInput: 1_600_000); // nothing new: no new poll kept

        var small = await h.Ledger.QueryAsync<(string Width, long Start, long Input, long Cost)>(
            "SELECT bucket_width, bucket_start, input_tokens, cost_micros FROM usage_records WHERE model = 'mistral-small-2603' ORDER BY bucket_width, bucket_start");
        // The opening poll: 1,000,000 x 0.0000001 = 0.10 for the month so far; then 600,000 (0.06) over the two hours between the polls.
        Assert.Equal(
            [
                ("1h", PullHarness.Now.AddHours(-5).AddMinutes(-30).ToUnixTimeSeconds(), 150_000L, 15_000L),
                ("1h", PullHarness.Now.AddHours(-4).AddMinutes(-30).ToUnixTimeSeconds(), 300_000L, 30_000L),
                ("1h", PullHarness.Now.AddHours(-3).AddMinutes(-30).ToUnixTimeSeconds(), 150_000L, 15_000L),
                ("month", November.ToUnixTimeSeconds(), 1_000_000L, 100_000L),
            ],
            small);
        Assert.Equal(2, await h.Ledger.ScalarAsync<long>("SELECT COUNT(DISTINCT taken_at) FROM usage_snapshots WHERE model = 'mistral-small-2603'"));
        // The dated row of the same pulls: one day record, 800,000 x 0.0000005 = 0.40.
        Assert.Equal(("1d", 800_000L, 400_000L), (await h.Ledger.QueryAsync<(string, long, long)>(
            "SELECT bucket_width, input_tokens, cost_micros FROM usage_records WHERE model = 'mistral-large-2512'")).Single());
        Assert.Contains("completion.models.mistral-small-2603.input[].timestamp", await h.Ledger.QueryAsync<string>("SELECT path FROM provider_drift"));
    }

    [Fact]
    public async Task Pull_FineTuningStorage_UnitsMonthToDate_UnpricedAndReported_NeverFree()
    {
        await using var h = await StartAsync(PullHarness.Now.AddHours(-2));
        await PollAsync(h, PullHarness.Now.AddHours(-2), undatedInput: 1_000_000, storage: 2);
        await PollAsync(h, PullHarness.Now, undatedInput: 1_000_000, storage: 3);

        var storage = await h.Ledger.QueryAsync<(string Width, long Units, string Unit, string Source, long? Cost)>(
            "SELECT bucket_width, units, unit, cost_source, cost_micros FROM usage_records WHERE category = 'fine_tuning.storage' ORDER BY bucket_width");
        Assert.Equal(3, storage.Sum(s => s.Units)); // the latest month-to-date integer
        Assert.All(storage, s => Assert.Equal(("units", "unpriced", (long?)null), (s.Unit, s.Source, s.Cost)));
        Assert.Contains("fine_tuning.storage.ft:mistral-small-2603:8f2a1c3e:20261119:b7e9d0f1", await h.Ledger.QueryAsync<string>("SELECT path FROM provider_drift"));
    }

    private static async Task<PullHarness> StartAsync(DateTimeOffset clock)
    {
        var h = await PullHarness.StartAsync(days: 7, accounts: MistralOnly, clockStart: clock);
        h.Server.Fixtures.Serve("/mistral/v1/admin/workspaces", """{"total":0,"items":[],"object":"list","page":1,"page_size":100}""", new Dictionary<string, string> { ["is_archived"] = "true" });
        h.Server.Fixtures.Serve("/mistral/v1/admin/workspaces", Fixture.Load("mistral/workspaces-page-1.json").Body.Replace("\"total\": 2", "\"total\": 1", StringComparison.Ordinal));
        return h;
    }

    /// <summary>One pull at <paramref name="at"/>: the workspace and the organisation answer the same rows.</summary>
    private static async Task PollAsync(PullHarness h, DateTimeOffset at, long undatedInput, long? storage = null)
    {
        var body = Body(undatedInput, storage);
        h.Server.Faults.Add(Usage, new FakeFault(200, body), times: 2);
        h.Ledger.Clock.SetUtcNow(at);
        var result = (await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None)).Single();
        Assert.True(result.Ok, result.Error);
        Assert.Equal(0, h.Server.Faults.Pending);
    }

    // The fixture's shape (tests/Fixtures/mistral/usage.json) with one row stripped of its timestamp.
    private static string Body(long undatedInput, long? storage) => """
        {"completion":{"models":{
           "mistral-small-2603":{"input":[{"usage_type":"usage","event_type":"api_tokens","billing_metric":"mistral-small-2603","billing_display_name":"mistral-small-2603",
              "billing_group":"input","value":UNDATED,"value_paid":UNDATED,"api_zone":"global","service_tier":"standard"}]},
           "mistral-large-2512":{"input":[{"usage_type":"usage","event_type":"api_tokens","billing_metric":"mistral-large-2512","billing_display_name":"mistral-large-2512",
              "billing_group":"input","timestamp":"2026-11-21","value":800000,"value_paid":800000,"api_zone":"global","service_tier":"standard"}]}}},
         "ocr":{"models":{}},"connectors":{"models":{}},"libraries_api":{"pages":{"models":{}},"tokens":{"models":{}},"audio_seconds":{"models":{}}},
         "fine_tuning":{"training":{},"storage":STORAGE},
         "audio":{"models":{}},"audio_characters":{"models":{}},"vibe_usage":0.0,
         "vibe_code":{"completion":{"models":{}},"ocr":{"models":{}},"connectors":{"models":{}},"audio":{"models":{}},"audio_characters":{"models":{}}},
         "chat":{"models":{}},"date":"2026-11-01T00:00:00Z","previous_month":"2026-10","next_month":"2026-12","start_date":"2026-11-01T00:00:00Z",
         "end_date":"2026-11-30T23:59:59.999Z","currency":"EUR","currency_symbol":"€",
         "prices":[{"event_type":"api_tokens","billing_metric":"mistral-small-2603","billing_group":"input","api_zone":"global","service_tier":"standard","price":"0.0000001000"},
                   {"event_type":"api_tokens","billing_metric":"mistral-large-2512","billing_group":"input","api_zone":"global","service_tier":"standard","price":"0.0000005000"}]}
        """
        .Replace("UNDATED", undatedInput.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("STORAGE", storage is { } s ? $$"""{"ft:mistral-small-2603:8f2a1c3e:20261119:b7e9d0f1":{{s}}}""" : "{}", StringComparison.Ordinal);
}
