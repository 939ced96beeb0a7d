using Monitor.Core.Alerts;
using Monitor.Core.Keys;
using Monitor.Core.Usage;

namespace Monitor.Core.Tests.Keys;

public sealed class KeyAlertsTests
{
    private static readonly DateTimeOffset Created = new(2026, 6, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly KeyPolicy Default = new(TimeSpan.FromDays(90), TimeSpan.FromDays(45));
    private static readonly string[] Team = ["ops@example.com", "Alice@example.com"];

    private static KeyState Key(string id = "k1", string status = "active", DateTimeOffset? created = null, DateTimeOffset? expires = null,
        DateTimeOffset? lastUsed = null, DateTimeOffset? firstSeen = null, string workspace = "ws") => new()
    {
        Account = "acme", Provider = ProviderKind.OpenAI,
        Key = new ApiKeyInfo
        {
            KeyId = id, Name = "backend " + id, Workspace = workspace, Owner = "alice@example.com", Status = status,
            CreatedAt = created ?? Created, ExpiresAt = expires, LastFour = "1x2Y",
        },
        FirstSeenAt = firstSeen ?? Created, LastUsedAt = lastUsed ?? Created.AddDays(200), UsageKnown = true,
    };

    private static List<string> Codes(KeyState key, DateTimeOffset now) =>
        [.. KeyAlerts.Reminders([key], _ => Default, Team, now).Select(a => a.DedupKey)];

    [Fact]
    public void Reminders_WalkingThroughTheAge_EachStepInOrder()
    {
        var due = Created.AddDays(90); // 2026-08-30 10:00
        var key = Key();

        Assert.Empty(Codes(key, due.AddDays(-32)));
        Assert.Equal(["key_rotation:acme:k1:30d"], Codes(key, new DateTimeOffset(2026, 7, 31, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(["key_rotation:acme:k1:7d"], Codes(key, new DateTimeOffset(2026, 8, 23, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(["key_rotation:acme:k1:1d"], Codes(key, new DateTimeOffset(2026, 8, 29, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(["key_rotation:acme:k1:1d"], Codes(key, due.AddMinutes(-1)));
        Assert.Equal(["key_rotation:acme:k1:overdue-w0"], Codes(key, due));
        Assert.Equal(["key_rotation:acme:k1:overdue-w1"], Codes(key, due.AddDays(7)));
    }

    [Fact]
    public void Reminders_GoToTheOwnerAndTheDefaults_Deduplicated_WithFingerprintNotKey()
    {
        var alert = KeyAlerts.Reminders([Key()], _ => Default, Team, Created.AddDays(89)).Single();

        Assert.Equal(["alice@example.com", "ops@example.com"], alert.To);
        Assert.Equal(AlertSeverity.Warning, alert.Severity);
        Assert.Equal("...1x2Y", alert.Evidence.Facts.Single(f => f.Label == "Fingerprint").Value);
        Assert.Equal("89 days", alert.Evidence.Facts.Single(f => f.Label == "Age").Value);
        Assert.Equal(4, alert.Evidence.Runbook.Count);
        Assert.Contains("...1x2Y", alert.Evidence.Runbook[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Reminders_SeveralKeysOfOneOwner_ShareACooldownSoOneMailsAndTheRestGoToTheDigest()
    {
        var due = Created.AddDays(100);

        var alerts = KeyAlerts.Reminders([Key("k1"), Key("k2", workspace: "other"), Key("k3")], _ => Default, Team, due).ToList();

        Assert.Equal(3, alerts.Count);
        Assert.Single(alerts.Select(a => a.EffectiveCooldownKey).Distinct());
        Assert.Equal("key_reminders:acme:alice@example.com,ops@example.com", alerts[0].EffectiveCooldownKey);
    }

    [Fact]
    public void Reminders_Expiry_BeforeAgeIsDue()
    {
        var key = Key(created: Created, expires: Created.AddDays(20));

        Assert.Equal(["key_expiry:acme:k1:7d"], Codes(key, Created.AddDays(14)));
    }

    [Fact]
    public void Reminders_RevokedKeys_AndPolicyOff_AreQuiet()
    {
        Assert.Empty(Codes(Key(status: "deleted"), Created.AddDays(100)));
        Assert.Empty(KeyAlerts.Reminders([Key()], _ => new KeyPolicy(null, null), Team, Created.AddDays(100)));
    }

    [Fact]
    public void Reminders_Unused_OncePerIdleStretch()
    {
        var key = Key(lastUsed: Created.AddDays(10));

        var alerts = KeyAlerts.Reminders([key], _ => new KeyPolicy(null, TimeSpan.FromDays(45)), Team, Created.AddDays(56)).ToList();

        Assert.Equal([$"key_unused:acme:k1:{Created.AddDays(10).ToUnixTimeSeconds()}"], alerts.Select(a => a.DedupKey));
        Assert.Empty(KeyAlerts.Reminders([key], _ => new KeyPolicy(null, TimeSpan.FromDays(45)), Team, Created.AddDays(54)));
    }

    [Fact]
    public void Policy_MostSpecificRuleWins()
    {
        KeyPolicyRule[] rules =
        [
            new() { Provider = "OpenAI", MaxAge = TimeSpan.FromDays(60) },
            new() { Account = "acme", MaxAge = TimeSpan.FromDays(30) },
            new() { KeyId = "k2", MaxAge = TimeSpan.Zero },
        ];

        Assert.Equal(new KeyPolicy(TimeSpan.FromDays(30), TimeSpan.FromDays(45)), KeyPolicyRule.Resolve(rules, Default, Key()));
        Assert.Equal(new KeyPolicy(null, TimeSpan.FromDays(45)), KeyPolicyRule.Resolve(rules, Default, Key("k2")));
    }

    [Fact]
    public void Rotations_NewKeySeenLater_OldExpectedSilentAfterGrace()
    {
        var old = Key("old");
        var successor = Key("new", created: Created.AddDays(100), firstSeen: Created.AddDays(100).AddHours(1));
        var grace = TimeSpan.FromDays(7);

        Assert.Empty(KeyAlerts.Rotations([old, successor], grace, Created.AddDays(106)));
        var rotation = Assert.Single(KeyAlerts.Rotations([old, successor], grace, Created.AddDays(107)));
        Assert.Equal(("old", "new", Created.AddDays(107)), (rotation.Old.Key.KeyId, rotation.New.Key.KeyId, rotation.GraceEndsAt));
    }

    [Fact]
    public void Rotations_KeysFirstSeenTogether_OrInOtherWorkspaces_AreNotRotations()
    {
        var a = Key("a");
        var b = Key("b", created: Created.AddDays(30));
        var c = Key("c", created: Created.AddDays(30), firstSeen: Created.AddDays(40), workspace: "other");

        Assert.Empty(KeyAlerts.Rotations([a, b, c], TimeSpan.FromDays(7), Created.AddDays(100)));
    }

    [Fact]
    public void StillUsed_And_RevokedButUsed_Decisions()
    {
        var rotation = new KeyRotation(Key("old"), Key("new"), Created.AddDays(7));
        var usage = new KeyUsage { Requests = 1234, Cost = 5.5m, Currency = Monitor.Core.Pricing.Currency.USD, Models = [("gpt-4.1", 1234, 5.5m)], FirstAt = Created.AddDays(8), LastAt = Created.AddDays(9) };

        var still = KeyAlerts.StillUsed(rotation, usage, Team);
        var revoked = KeyAlerts.RevokedButUsed(Key("gone", status: "deleted") with { StatusSince = Created.AddDays(3) }, usage, Team);

        Assert.Equal((AlertKind.KeyRotation, AlertSeverity.Warning, "key_rotation:acme:old:replaced-by:new"), (still.Kind, still.Severity, still.DedupKey));
        Assert.Equal("[Key rotation] backend old (old) still used 2 day(s) after its replacement's grace ended: 1,234 requests, USD 5.50", still.Title);
        Assert.Equal((AlertSeverity.Critical, $"key_revoked_used:acme:gone:{Created.AddDays(3).ToUnixTimeSeconds()}"), (revoked.Severity, revoked.DedupKey));
        Assert.Equal("gpt-4.1", revoked.Evidence.Breakdowns.Single().Rows.Single().Label);
    }
}
