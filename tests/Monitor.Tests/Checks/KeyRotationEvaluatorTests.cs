using Dapper;
using Monitor.Checks;
using Monitor.Core.Alerts;
using Monitor.Demo;
using Monitor.Storage;
using Monitor.Tests.Support;

namespace Monitor.Tests.Checks;

/// <summary>Key reminders, observed rotations and revoked keys from the fake providers' key listings over real HTTP.</summary>
public sealed class KeyRotationEvaluatorTests
{
    private static readonly (string, string)[] MistralOnly = [("mistral", "Mistral")];
    private static readonly (string, string)[] OpenAIOnly = [("openai", "OpenAI")];
    private static readonly DateTimeOffset Now = PullHarness.Now;

    // A key of a provider without a key listing, declared in the configuration.
    private static readonly Dictionary<string, string?> DeclaredKilo = new()
    {
        ["Monitor:Keys:Declared:0:Name"] = "kilo-ci",
        ["Monitor:Keys:Declared:0:Account"] = "kilo-team",
        ["Monitor:Keys:Declared:0:CreatedAt"] = "2026-08-25T00:00:00Z",
        ["Monitor:Keys:Declared:0:Owner"] = "max@example.com",
    };

    [Theory, BothDialects]
    public async Task Evaluate_KeyAgeThroughEveryStep_EachReminderOnceInOrder_ToOwnerAndDefaults_AcrossRestarts(SqlDialect dialect)
    {
        await using var checks = await LifecycleChecks.StartAsync(MistralOnly, dialect: dialect);
        await checks.PullAsync();
        var key = checks.Harness.Scenario.Keys.Single(k => k.Name == "ds-notebooks"); // created 70 days ago: due 2026-12-12 15:00
        DateTimeOffset[] times =
        [
            Now, new(2026, 12, 4, 23, 0, 0, TimeSpan.Zero), new(2026, 12, 5, 0, 0, 0, TimeSpan.Zero), new(2026, 12, 11, 0, 0, 0, TimeSpan.Zero),
            new(2026, 12, 12, 14, 59, 0, TimeSpan.Zero), new(2026, 12, 12, 15, 0, 0, TimeSpan.Zero), new(2026, 12, 19, 14, 0, 0, TimeSpan.Zero),
            new(2026, 12, 19, 15, 0, 0, TimeSpan.Zero),
        ];

        var raised = new List<AlertDecision>();
        foreach (var at in times)
        {
            checks.SetNow(at);
            raised.AddRange((await checks.RaiseAsync<KeyRotationEvaluator>()).Where(a => a.KeyId == key.KeyId && a.Kind == AlertKind.KeyRotation));
            await checks.RestartAsync();
            Assert.Empty(await checks.RaiseAsync<KeyRotationEvaluator>());
        }

        Assert.Equal(["30d", "7d", "1d", "overdue-w0", "overdue-w1"], raised.Select(a => a.DedupKey.Split(':')[^1]));
        Assert.All(raised, a => Assert.Equal(["bruno.lefevre@example.com", "ops@example.com"], a.To));
        var facts = raised[0].Evidence.Facts.ToDictionary(f => f.Label, f => f.Value);
        Assert.Equal(("...Zk8q", "70 days", "2026-09-13"), (facts["Fingerprint"], facts["Age"], facts["Created"]));
        Assert.StartsWith("Create a new key in the Mistral console", raised[0].Evidence.Runbook[0], StringComparison.Ordinal);
    }

    [Theory, BothDialects]
    public async Task Evaluate_ExpiringKey_RemindsAt30And7And1Days(SqlDialect dialect)
    {
        await using var checks = await LifecycleChecks.StartAsync(MistralOnly, dialect: dialect);
        await checks.PullAsync();
        // Mistral lists its expiry as the day 2026-12-12: the key works through that day, so it expires 2026-12-13 00:00.
        var key = checks.Harness.Scenario.Keys.Single(k => k.Name == "support-bot");

        var raised = new List<string>();
        foreach (var at in new DateTimeOffset[] { Now, new(2026, 12, 6, 0, 0, 0, TimeSpan.Zero), new(2026, 12, 12, 0, 0, 0, TimeSpan.Zero) })
        {
            checks.SetNow(at);
            raised.AddRange((await checks.RaiseAsync<KeyRotationEvaluator>()).Where(a => a.Kind == AlertKind.KeyExpiry && a.KeyId == key.KeyId).Select(a => a.DedupKey));
        }

        Assert.Equal([$"key_expiry:mistral-test:{key.KeyId}:30d", $"key_expiry:mistral-test:{key.KeyId}:7d", $"key_expiry:mistral-test:{key.KeyId}:1d"], raised);
    }

    [Theory, BothDialects]
    public async Task Evaluate_Rotation_OldKeySilentIsQuiet_ThenUsedAfterGraceAlertsOnce(SqlDialect dialect)
    {
        await using var checks = await LifecycleChecks.StartAsync(MistralOnly, dialect: dialect);
        await checks.PullAsync();
        var scenario = checks.Harness.Scenario;
        var old = scenario.Keys.Single(k => k.Name == "product-backend");
        scenario.Lifecycle.AddedKeys.Add(old with { KeyId = "new-product-key", Name = "product-backend-2", CreatedAt = Now.AddDays(1), RedactedValue = "NEWk...9zQa" });
        checks.Advance(TimeSpan.FromDays(1));
        await checks.PullAsync();

        checks.Advance(TimeSpan.FromDays(7) + TimeSpan.FromHours(2)); // the grace (7 days) has ended; the old key was last used before
        Assert.DoesNotContain(await checks.RaiseAsync<KeyRotationEvaluator>(), IsRotation);

        scenario.Lifecycle.LastUsed[old.KeyId] = Now.AddDays(9);
        checks.Advance(TimeSpan.FromDays(1));
        await checks.PullAsync();
        var alert = Assert.Single(await checks.RaiseAsync<KeyRotationEvaluator>(), IsRotation);
        await checks.RestartAsync();
        Assert.DoesNotContain(await checks.RaiseAsync<KeyRotationEvaluator>(), IsRotation);

        Assert.Equal((AlertSeverity.Warning, $"key_rotation:mistral-test:{old.KeyId}:replaced-by:new-product-key"), (alert.Severity, alert.DedupKey));
        Assert.Equal("2026-12-01", alert.Evidence.Facts.Single(f => f.Label == "Last used (provider)").Value);
        Assert.Equal(["alice.martin@example.com", "ops@example.com"], alert.To);
    }

    [Theory, BothDialects]
    public async Task Evaluate_RotationWithPerKeyUsage_EvidenceFromTheLedger(SqlDialect dialect)
    {
        await using var checks = await LifecycleChecks.StartAsync(OpenAIOnly, clockStart: Now.AddDays(-10), dialect: dialect);
        await checks.PullAsync();
        var old = checks.Harness.Scenario.Keys.Single(k => k.KeyId == "key_webapp");
        checks.Harness.Scenario.Lifecycle.AddedKeys.Add(old with { KeyId = "key_webapp_2", Name = "web-app production 2", CreatedAt = Now.AddDays(-9) });
        checks.SetNow(Now.AddDays(-9));
        await checks.PullAsync();
        checks.SetNow(Now);
        await checks.PullAsync();

        var alert = Assert.Single(await checks.RaiseAsync<KeyRotationEvaluator>(), IsRotation);

        var graceEnd = Now.AddDays(-2);
        var expected = await checks.Harness.Ledger.ScalarAsync<long>(
            "SELECT SUM(requests) FROM usage_records WHERE key_id = 'key_webapp' AND bucket_start >= @from AND bucket_start < @to",
            new { from = graceEnd.ToUnixTimeSeconds(), to = Now.ToUnixTimeSeconds() });
        Assert.True(expected > 0);
        Assert.Equal(expected.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), alert.Evidence.Facts.Single(f => f.Label == "Requests since").Value);
        Assert.Equal(["gpt-4.1-2025-04-14", "text-embedding-3-small"], alert.Evidence.Breakdowns.Single().Rows.Select(r => r.Label));
        Assert.NotNull(alert.Evidence.Chart);
    }

    [Theory, BothDialects]
    public async Task Evaluate_DeletedKeyWithUsage_IsCriticalOnce_AndOnlyForThatKey(SqlDialect dialect)
    {
        await using var checks = await LifecycleChecks.StartAsync(OpenAIOnly, clockStart: Now.AddDays(-3), dialect: dialect);
        await checks.PullAsync();
        checks.Harness.Scenario.Lifecycle.RemovedKeyIds.Add("key_support");
        checks.SetNow(Now.AddDays(-2));
        await checks.PullAsync();
        checks.SetNow(Now);
        await checks.PullAsync();

        var alerts = (await checks.RaiseAsync<KeyRotationEvaluator>()).Where(a => a.Severity == AlertSeverity.Critical).ToList();
        await checks.RestartAsync();

        var alert = Assert.Single(alerts);
        Assert.Empty(await checks.RaiseAsync<KeyRotationEvaluator>());
        Assert.Equal($"key_revoked_used:openai-test:key_support:{Now.AddDays(-2).ToUnixTimeSeconds()}", alert.DedupKey);
        Assert.StartsWith("[Revoked key used] support assistant (key_support) is deleted but shows usage: ", alert.Title, StringComparison.Ordinal);
        Assert.Equal("deleted", await checks.Harness.Ledger.ScalarAsync<string>(
            "SELECT status FROM key_status_history WHERE key_id = 'key_support' ORDER BY changed_at DESC LIMIT 1"));
    }

    [Theory, BothDialects]
    public async Task Evaluate_DeclaredKey_RemindsItsOwner(SqlDialect dialect)
    {
        await using var checks = await LifecycleChecks.StartAsync(MistralOnly, DeclaredKilo, dialect: dialect);

        var alert = Assert.Single(await checks.RaiseAsync<KeyRotationEvaluator>(), a => a.Account == "kilo-team");

        Assert.Equal("key_rotation:kilo-team:declared:kilo-ci:1d", alert.DedupKey); // 90 days end 2026-11-23
        Assert.Equal(["max@example.com", "ops@example.com"], alert.To);
        Assert.Equal("config", await checks.Harness.Ledger.ScalarAsync<string>("SELECT source FROM api_keys WHERE account = 'kilo-team'"));
    }

    [Theory, BothDialects]
    public async Task Start_DeclaredKey_IsInTheLedgerBeforeAnyPullOrCheck(SqlDialect dialect)
    {
        await using var checks = await LifecycleChecks.StartAsync(MistralOnly, DeclaredKilo, dialect: dialect);
        var keys = await checks.Harness.Ledger.QueryAsync<(string, string, string)>("SELECT key_id, owner, source FROM api_keys WHERE account = 'kilo-team'");

        Assert.Equal([("declared:kilo-ci", "max@example.com", "config")], keys);
    }

    [Theory, BothDialects]
    public async Task KeysDue_DeclaredKeyNotInTheLedger_TheDashboardReadWritesNothing_TheNextPullWritesIt(SqlDialect dialect)
    {
        await using var checks = await LifecycleChecks.StartAsync(MistralOnly, DeclaredKilo, dialect: dialect);
        await using (var c = await checks.Harness.Ledger.Database.OpenAsync(CancellationToken.None))
            await c.ExecuteAsync("DELETE FROM api_keys WHERE source = 'config'"); // as if declared after the start
        const string Count = "SELECT COUNT(*) FROM api_keys";
        var before = await checks.Harness.Ledger.ScalarAsync<long>(Count);

        var due = await checks.Get<Monitor.Dashboard.IKeyRotationSource>().KeysDueAsync(checks.Now, CancellationToken.None);
        var afterRead = await checks.Harness.Ledger.ScalarAsync<long>(Count);
        await checks.PullAsync();

        Assert.DoesNotContain(due, k => k.Account == "kilo-team");
        Assert.Equal(before, afterRead);
        Assert.Equal("config", await checks.Harness.Ledger.ScalarAsync<string>("SELECT source FROM api_keys WHERE account = 'kilo-team'"));
    }

    [Theory, BothDialects]
    public async Task Check_DeprecationAndKeyReminders_StoredOnceAndMailedToOwnerAndDefaults_WithoutTheKey(SqlDialect dialect)
    {
        await using var checks = await LifecycleChecks.StartAsync(MistralOnly, dialect: dialect);
        await checks.PullAsync();

        var first = await checks.CheckAsync();
        await checks.RestartAsync();
        var second = await checks.CheckAsync();

        Assert.Empty(first.Failures);
        Assert.True(first.Raised > 0);
        Assert.Equal(0, second.Raised);
        var key = checks.Harness.Scenario.Keys.Single(k => k.Name == "ds-notebooks");
        Assert.Equal(1, await checks.Harness.Ledger.ScalarAsync<long>(
            "SELECT COUNT(*) FROM alerts WHERE kind = 'deprecation' AND dedup_key = 'deprecation:mistral-test:mistral-medium-2505:90d'"));
        Assert.Equal("bruno.lefevre@example.com,ops@example.com", await checks.Harness.Ledger.ScalarAsync<string>(
            "SELECT recipients FROM alerts WHERE dedup_key = @k", new { k = $"key_rotation:mistral-test:{key.KeyId}:30d" }));
        var mails = Directory.GetFiles(checks.Pickup, "*.eml").Select(File.ReadAllText).ToList();
        // The 30-day reminder is Info (digest); the 4-day one for support-bot is mailed on its own to its owner.
        var mail = Assert.Single(mails, m => m.Contains("Subject: [Key rotation] support-bot", StringComparison.Ordinal));
        Assert.Contains("To: chloe.durand@example.com, ops@example.com", mail, StringComparison.Ordinal);
        Assert.Contains("Fingerprint: ...aB2d", mail, StringComparison.Ordinal);
        var secret = Environment.GetEnvironmentVariable(checks.Harness.KeyVariable)!;
        Assert.All(mails, m => Assert.DoesNotContain(secret, m, StringComparison.Ordinal));
    }

    private static bool IsRotation(AlertDecision a) => a.DedupKey.Contains(":replaced-by:", StringComparison.Ordinal);
}
