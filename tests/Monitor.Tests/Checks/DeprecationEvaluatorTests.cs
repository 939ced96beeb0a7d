using Monitor.Checks;
using Monitor.Core.Alerts;
using Monitor.Demo;
using Monitor.Storage;
using Monitor.Tests.Support;

namespace Monitor.Tests.Checks;

/// <summary>Deprecations and aliases from the fake providers' model lists over real HTTP, time moved with the fake clock.</summary>
public sealed class DeprecationEvaluatorTests
{
    private static readonly (string, string)[] MistralAndOpenAI = [("mistral", "Mistral"), ("openai", "OpenAI")];
    private static readonly (string, string)[] MistralOnly = [("mistral", "Mistral")];
    private static readonly DateTimeOffset Now = PullHarness.Now;

    // The Mistral fake retires mistral-medium-2505 at 12:00 UTC 45 days after the scenario's now: 2027-01-06.
    private static readonly DateTimeOffset Retires = new(2027, 1, 6, 12, 0, 0, TimeSpan.Zero);

    [Theory, BothDialects]
    public async Task Evaluate_ThroughEveryMilestone_EachReminderOnceInOrder_AcrossRestarts_NoneForUncalledModels(SqlDialect dialect)
    {
        await using var checks = await LifecycleChecks.StartAsync(MistralAndOpenAI, new Dictionary<string, string?> { ["Monitor:Deprecations:UsedWithinDays"] = "90" }, dialect: dialect);
        await checks.PullAsync();
        DateTimeOffset[] times =
        [
            Now, Now.AddDays(1), new(2026, 12, 6, 23, 59, 0, TimeSpan.Zero), new(2026, 12, 7, 0, 0, 0, TimeSpan.Zero), new(2026, 12, 30, 8, 0, 0, TimeSpan.Zero),
            new(2027, 1, 5, 0, 0, 0, TimeSpan.Zero), new(2027, 1, 6, 0, 0, 0, TimeSpan.Zero), new(2027, 1, 6, 11, 0, 0, TimeSpan.Zero), Retires.AddHours(1),
        ];

        var raised = new List<string>();
        foreach (var at in times)
        {
            checks.SetNow(at);
            raised.AddRange((await checks.RaiseAsync<DeprecationEvaluator>()).Where(a => a.Kind == AlertKind.Deprecation).Select(a => a.DedupKey));
            await checks.RestartAsync();
            Assert.Empty(await checks.RaiseAsync<DeprecationEvaluator>()); // the same check again, after a restart: nothing new
        }

        Assert.Equal(
            ["90d", "30d", "7d", "1d", "0d"],
            raised.Select(k => k["deprecation:mistral-test:mistral-medium-2505:".Length..]));
        // OpenAI lists gpt-4o-2024-05-13 with a shutdown date, but nobody calls it.
        Assert.DoesNotContain(raised, k => k.Contains("gpt-4o-2024-05-13", StringComparison.Ordinal));
    }

    [Theory, BothDialects]
    public async Task Evaluate_ThirtyDayReminder_NamesDateSpendCallersAndReplacementPrice(SqlDialect dialect)
    {
        await using var checks = await LifecycleChecks.StartAsync(MistralOnly, dialect: dialect);
        await checks.PullAsync();
        checks.SetNow(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));

        var alert = (await checks.EvaluateAsync<DeprecationEvaluator>()).Single(a => a.Kind == AlertKind.Deprecation);

        Assert.Equal(AlertSeverity.Warning, alert.Severity);
        Assert.StartsWith("[Deprecation] mistral-medium-2505 retires 2027-01-06 (in 30 days): EUR ", alert.Title, StringComparison.Ordinal);
        var facts = alert.Evidence.Facts.ToDictionary(f => f.Label, f => f.Value);
        Assert.Equal("provider model list", facts["Source"]);
        Assert.Equal("mistral-medium-3-5", facts["Replacement"]);
        Assert.Equal("input 0.40 -> 1.50 (+275%), output 2.00 -> 7.50 (+275%) USD per 1M tokens (USD list prices)", facts["Price change"]);
        var productTeam = checks.Harness.Scenario.Workspaces.Single(w => w.Name == "Product Team").Id;
        Assert.Equal($"workspace {productTeam}", Assert.Single(alert.Evidence.Breakdowns.Single().Rows).Label);
    }

    [Theory, BothDialects]
    public async Task Evaluate_UserFileRetiresAModelStillCalled_IsCriticalOnce(SqlDialect dialect)
    {
        using var probe = new TempLedger(dialect: dialect);
        var file = probe.File("lifecycle.json", """
            {"models":[{"provider":"OpenAI","model":"gpt-4.1-2025-04-14","retires_on":"2026-11-20","source":"our contract"}]}
            """);
        await using var checks = await LifecycleChecks.StartAsync([("openai", "OpenAI")], new Dictionary<string, string?> { ["Monitor:Deprecations:LifecycleFile"] = file }, dialect: dialect);
        await checks.PullAsync();

        var alert = Assert.Single(await checks.RaiseAsync<DeprecationEvaluator>());
        Assert.Empty(await checks.RaiseAsync<DeprecationEvaluator>());

        var since = await checks.Harness.Ledger.ScalarAsync<long>(
            "SELECT SUM(requests) FROM usage_records WHERE model = 'gpt-4.1-2025-04-14' AND bucket_start >= @at",
            new { at = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds() });
        Assert.Equal((AlertSeverity.Critical, "deprecation:openai-test:gpt-4.1-2025-04-14:retired"), (alert.Severity, alert.DedupKey));
        Assert.Contains($"still called: {since.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} requests", alert.Title, StringComparison.Ordinal);
        Assert.Equal("our contract", alert.Evidence.Facts.Single(f => f.Label == "Source").Value);
        Assert.Equal("-2", alert.Evidence.Facts.Single(f => f.Label == "Days left").Value);
    }

    [Theory, BothDialects]
    public async Task Evaluate_AliasMovesBetweenPulls_AlertsOnceWithOldNewAndPrice(SqlDialect dialect)
    {
        await using var checks = await LifecycleChecks.StartAsync(MistralOnly, dialect: dialect);
        await checks.PullAsync();
        Assert.DoesNotContain(await checks.RaiseAsync<DeprecationEvaluator>(), a => a.Kind == AlertKind.AliasMoved);

        checks.Harness.Scenario.Lifecycle.AliasTargets["mistral-large-latest"] = "mistral-large-2411";
        checks.Advance(TimeSpan.FromHours(1));
        await checks.PullAsync();
        var moved = Assert.Single(await checks.RaiseAsync<DeprecationEvaluator>(), a => a.Kind == AlertKind.AliasMoved);
        checks.Advance(TimeSpan.FromHours(1));
        await checks.PullAsync();
        await checks.RestartAsync();

        Assert.Empty(await checks.RaiseAsync<DeprecationEvaluator>());
        Assert.Equal($"alias_moved:mistral-test:mistral-large-latest:{Now.AddHours(1).ToUnixTimeSeconds()}", moved.DedupKey);
        Assert.Equal("[Alias moved] mistral-large-latest now resolves to mistral-large-2411 (was mistral-large-2512) on mistral-test", moved.Title);
        Assert.Equal("input 0.50 -> 2.00 (+300%), output 1.50 -> 6.00 (+300%) USD per 1M tokens (USD list prices)",
            moved.Evidence.Facts.Single(f => f.Label == "Price change").Value);
        // The usage's mistral-large-latest::mistral-large-2512 keys, the list before the move and the list after it.
        Assert.Equal(["mistral-large-2512", "mistral-large-2512", "mistral-large-2411"],
            await checks.Harness.Ledger.QueryAsync<string>("SELECT model FROM model_alias_history WHERE alias = 'mistral-large-latest' ORDER BY first_seen_at"));
    }

    [Theory, BothDialects]
    public async Task Evaluate_ProductionKeyCallsLatestAlias_OneAdvicePerMonth(SqlDialect dialect)
    {
        await using var checks = await LifecycleChecks.StartAsync([("openai", "OpenAI")], dialect: dialect);
        await checks.PullAsync();
        await InsertUsageAsync(checks, "key_webapp", "chatgpt-4o-latest", Now.AddHours(-3));
        await InsertUsageAsync(checks, "key_batch", "chatgpt-4o-latest", Now.AddHours(-3)); // "batch pipeline": not production

        var advice = Assert.Single(await checks.RaiseAsync<DeprecationEvaluator>(), a => a.Kind == AlertKind.AliasMoved);
        checks.Advance(TimeSpan.FromDays(2));
        Assert.Empty(await checks.RaiseAsync<DeprecationEvaluator>());

        Assert.Equal((AlertSeverity.Info, "alias_advice:openai-test:key_webapp:2026-11"), (advice.Severity, advice.DedupKey));
        Assert.Equal("[Advice] Production key web-app production calls 1 moving alias(es) on openai-test: pin a dated version", advice.Title);
    }

    private static Task<long> InsertUsageAsync(LifecycleChecks checks, string key, string model, DateTimeOffset hour) =>
        checks.Harness.Ledger.ScalarAsync<long>(
            """
            INSERT INTO usage_records (account, provider, workspace, key_id, key_fingerprint, model, bucket_start, bucket_width,
                input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, requests, cost_micros,
                currency, cost_source, estimated_cost_micros, source, ingested_at, batch_id, raw)
            VALUES ('openai-test', 'openai', 'proj_x', @key, NULL, @model, @at, '1h', 1000, 0, 0, 500, 0, 7, 1500000, 'USD', 'reported', NULL, 'import', @at, 0, NULL)
            RETURNING 0
            """, new { key, model, at = hour.ToUnixTimeSeconds() });
}
