using System.Globalization;
using Monitor.Core.Alerts;
using Monitor.Core.Pricing;

namespace Monitor.Core.Keys;

/// <summary>
/// Key hygiene decisions: rotation and expiry reminders (30, 7 and 1 days before, then weekly while overdue; each
/// once), unused keys, rotations whose old key is still used after the grace period, and revoked keys showing usage.
/// Reminders go to the key's owner (where known) and the default recipients.
/// </summary>
public static class KeyAlerts
{
    public static IEnumerable<AlertDecision> Reminders(
        IEnumerable<KeyState> keys, Func<KeyState, KeyPolicy> policyOf, IReadOnlyList<string> defaultTo, DateTimeOffset now)
    {
        foreach (var due in Deadlines(keys, policyOf, now))
        {
            yield return due.Step is { } step
                ? Reminder(due.Key, due.Kind, due.DueAt, step, defaultTo, now)
                : Unused(due.Key, due.DueAt, now) with { To = Recipients(due.Key, defaultTo) };
        }
    }

    /// <summary>
    /// Active keys due now, per key in this order: rotation by age (from the 30-day step on, then overdue), expiry (the
    /// same steps) and disuse. The reminders are raised from exactly these, and the dashboard lists them.
    /// </summary>
    public static IEnumerable<KeyDeadline> Deadlines(IEnumerable<KeyState> keys, Func<KeyState, KeyPolicy> policyOf, DateTimeOffset now)
    {
        foreach (var key in keys.Where(k => k.Active))
        {
            var policy = policyOf(key);
            if (policy.MaxAge is { } maxAge && key.Key.CreatedAt is { } created && Step(created + maxAge, now) is { } due)
                yield return new KeyDeadline(key, AlertKind.KeyRotation, created + maxAge, due, $"rotation: maximum age {Whole(maxAge)} days");
            if (key.Key.ExpiresAt is { } expires && Step(expires, now) is { } expiry)
                yield return new KeyDeadline(key, AlertKind.KeyExpiry, expires, expiry, expiry.Overdue ? "expired" : "expires");
            if (policy.UnusedAfter is { } idle && UnusedSince(key) is { } since && now - since >= idle)
            {
                yield return new KeyDeadline(key, AlertKind.KeyUnused, since + idle, null,
                    key.LastUsedAt is null ? "never used" : $"unused since {Day(since)}");
            }
        }
    }

    /// <summary>Rotations: a newer key seen later in the same account, workspace and kind replaces every older active one.</summary>
    public static IEnumerable<KeyRotation> Rotations(IEnumerable<KeyState> keys, TimeSpan grace, DateTimeOffset now)
    {
        foreach (var group in keys.Where(k => k.FirstSeenAt <= now).GroupBy(k => (k.Account, k.Key.Workspace, k.Key.Kind)))
        {
            var list = group.OrderBy(k => k.FirstSeenAt).ThenBy(Born).ToList();
            foreach (var old in list.Where(k => k.Active))
            {
                var successor = list
                    .Where(n => n.FirstSeenAt > old.FirstSeenAt && Born(n) > Born(old))
                    .OrderBy(Born).FirstOrDefault();
                if (successor is not null && Born(successor) + grace <= now)
                    yield return new KeyRotation(old, successor, Born(successor) + grace);
            }
        }
    }

    public static AlertDecision StillUsed(KeyRotation rotation, KeyUsage usage, IReadOnlyList<string> defaultTo)
    {
        var (old, successor) = (rotation.Old, rotation.New);
        return new AlertDecision
        {
            Kind = AlertKind.KeyRotation,
            Severity = AlertSeverity.Warning,
            Account = old.Account,
            Workspace = Empty(old.Key.Workspace),
            KeyId = old.Key.KeyId,
            Title = $"[Key rotation] {old.Label} still used {Days(rotation.GraceEndsAt, usage.LastAt ?? usage.ListedLastUsedAt)} after its replacement's grace ended: {UsageText(usage)}",
            Detail = $"{successor.Label} replaced {old.Label} on {old.Account} ({Day(Born(successor))}); the old key should have fallen " +
                     $"silent by {Day(rotation.GraceEndsAt)} but is still used. Either a caller was missed, or someone else holds the old key.",
            DedupKey = $"key_rotation:{old.Account}:{old.Key.KeyId}:replaced-by:{successor.Key.KeyId}",
            OccurredAt = usage.FirstAt ?? rotation.GraceEndsAt,
            Evidence = UsageEvidence(old, usage, rotation.GraceEndsAt, [new("Replaced by", successor.Label), new("Grace ended", Day(rotation.GraceEndsAt))], RotationRunbook.For(old)),
            To = Recipients(old, defaultTo),
        };
    }

    public static AlertDecision RevokedButUsed(KeyState key, KeyUsage usage, IReadOnlyList<string> defaultTo)
    {
        var since = key.StatusSince ?? key.FirstSeenAt;
        return new AlertDecision
        {
            Kind = AlertKind.KeyRotation,
            Severity = AlertSeverity.Critical,
            Account = key.Account,
            Workspace = Empty(key.Key.Workspace),
            KeyId = key.Key.KeyId,
            Title = $"[Revoked key used] {key.Label} is {key.Key.Status} but shows usage: {UsageText(usage)}",
            Detail = $"{key.Label} on {key.Account} is {key.Key.Status} (seen so since {Time(since)}) yet usage was recorded for it " +
                     "afterwards. Check whether the provider really revoked it and who is calling with it.",
            DedupKey = $"key_revoked_used:{key.Account}:{key.Key.KeyId}:{since.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}",
            OccurredAt = usage.FirstAt ?? since,
            Evidence = UsageEvidence(key, usage, since, [new("Status", key.Key.Status), new("Status since", Time(since))],
                ["Confirm at the provider that the key is revoked (deleted or disabled).",
                 "If it is, ask the provider's support why it still bills; if not, revoke it now.",
                 "Find the callers from the models and hours below; rotate whatever secret store held it."]),
            To = Recipients(key, defaultTo),
        };
    }

    public static IReadOnlyList<string> Recipients(KeyState key, IReadOnlyList<string> defaultTo)
    {
        var list = new List<string>();
        if (key.Key.Owner is { } owner && owner.Contains('@', StringComparison.Ordinal))
            list.Add(owner.Trim());
        foreach (var to in defaultTo)
        {
            if (!list.Contains(to, StringComparer.OrdinalIgnoreCase))
                list.Add(to);
        }

        return list;
    }

    private static Deprecations.Milestone? Step(DateTimeOffset deadline, DateTimeOffset now) =>
        Deprecations.Milestones.Before(deadline, now, Deprecations.Milestones.Key) ?? Deprecations.Milestones.Overdue(deadline, now);

    private static AlertDecision Reminder(
        KeyState key, AlertKind kind, DateTimeOffset deadline, Deprecations.Milestone step, IReadOnlyList<string> defaultTo, DateTimeOffset now)
    {
        var weeks = step.OverdueWeek > 0 ? $" ({step.OverdueWeek} week(s))" : "";
        var left = step.DaysLeft switch { 0 => "today", 1 => "in 1 day", var d => $"in {d} days" };
        var expiry = kind == AlertKind.KeyExpiry;
        var when = (expiry, step.Overdue) switch
        {
            (true, true) => $"expired {Day(deadline)}{weeks}",
            (true, false) => $"expires {Day(deadline)} ({left})",
            (false, true) => $"rotation overdue since {Day(deadline)}{weeks}",
            (false, false) => $"rotation due {Day(deadline)} ({left})",
        };
        var label = expiry ? "Key expiry" : "Key rotation";
        return new AlertDecision
        {
            Kind = kind,
            Severity = step.Overdue || step.Code != "30d" ? AlertSeverity.Warning : AlertSeverity.Info,
            Account = key.Account,
            Workspace = Empty(key.Key.Workspace),
            KeyId = key.Key.KeyId,
            Title = $"[{label}] {key.Label} on {key.Account}: {when}",
            Detail = expiry
                ? $"{key.Label}: {when}; calls with it then fail. Rotate it before that."
                : $"{key.Label} was created {Day(key.Key.CreatedAt!.Value)}: {when} (maximum age " +
                  $"{(deadline - key.Key.CreatedAt!.Value).TotalDays.ToString("0", CultureInfo.InvariantCulture)} days).",
            DedupKey = $"{Core.SnakeCase.Of(kind)}:{key.Account}:{key.Key.KeyId}:{step.Code}",
            OccurredAt = now,
            Evidence = new AlertEvidence { Facts = KeyFacts(key, now), Runbook = RotationRunbook.For(key) },
            To = Recipients(key, defaultTo),
            // One reminder mail per owner and account at a time; the others of that batch wait for the digest.
            CooldownKey = $"key_reminders:{key.Account}:{string.Join(',', Recipients(key, defaultTo))}",
        };
    }

    /// <summary>Since when the key is idle: its last use, else (when usage is known) its creation; null when nobody can tell.</summary>
    private static DateTimeOffset? UnusedSince(KeyState key) =>
        key.LastUsedAt ?? (key.UsageKnown ? key.Key.CreatedAt ?? key.FirstSeenAt : null);

    private static AlertDecision Unused(KeyState key, DateTimeOffset dueAt, DateTimeOffset now)
    {
        var s = UnusedSince(key)!.Value;
        return new AlertDecision
        {
            Kind = AlertKind.KeyUnused,
            Severity = AlertSeverity.Info,
            Account = key.Account,
            Workspace = Empty(key.Key.Workspace),
            KeyId = key.Key.KeyId,
            Title = $"[Unused key] {key.Label} on {key.Account}: " + (key.LastUsedAt is null ? "never used" : $"not used for {(now - s).Days} days"),
            Detail = $"{key.Label} has not been used since {Day(s)}. An unused key is only a risk: delete it unless something still needs it.",
            DedupKey = $"key_unused:{key.Account}:{key.Key.KeyId}:{key.LastUsedAt?.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) ?? "never"}",
            OccurredAt = dueAt,
            Evidence = new AlertEvidence { Facts = KeyFacts(key, now) },
        };
    }

    private static List<AlertFact> KeyFacts(KeyState key, DateTimeOffset now)
    {
        var k = key.Key;
        return
        [
            new("Account", key.Account),
            new("Key", key.Label),
            new("Fingerprint", key.FingerprintText),
            new("Workspace", k.Workspace.Length > 0 ? k.Workspace : "(none)"),
            new("Owner", k.Owner ?? "(unknown)"),
            new("Created", k.CreatedAt is { } c ? Day(c) : "(unknown)"),
            new("Age", k.CreatedAt is { } a ? $"{(now - a).Days} days" : "(unknown)"),
            new("Expires", k.ExpiresAt is { } e ? Day(e) : "never"),
            new("Last used", key.LastUsedAt is { } u ? Time(u) : key.UsageKnown ? "never" : "(not reported by the provider)"),
        ];
    }

    private static AlertEvidence UsageEvidence(KeyState key, KeyUsage usage, DateTimeOffset since, IReadOnlyList<AlertFact> extra, IReadOnlyList<string> runbook)
    {
        var currency = usage.Currency ?? Currency.USD;
        var facts = new List<AlertFact>
        {
            new("Account", key.Account), new("Key", key.Label), new("Fingerprint", key.FingerprintText),
            new("Owner", key.Key.Owner ?? "(unknown)"),
        };
        facts.AddRange(extra);
        facts.Add(new("Requests since", usage.Requests.ToString("N0", CultureInfo.InvariantCulture)));
        facts.Add(new("Cost since", MoneyUnits.Display(usage.Cost, currency)));
        if (usage.LastAt is { } last)
            facts.Add(new("Last usage bucket", Time(last)));
        if (usage.ListedLastUsedAt is { } listed)
            facts.Add(new("Last used (provider)", Day(listed)));
        return new AlertEvidence
        {
            Facts = facts,
            Amounts = [new AlertAmount("cost_since", usage.Cost, currency.ToString())],
            Breakdowns = usage.Models.Count == 0 ? [] :
            [
                new AlertBreakdown("Models since " + Day(since), [.. usage.Models.Select(m => new AlertFact(m.Model,
                    $"{m.Requests.ToString("N0", CultureInfo.InvariantCulture)} requests, {MoneyUnits.Display(m.Cost, currency)}"))]),
            ],
            Runbook = runbook,
            Chart = usage.Days.Count == 0 ? null : new AlertChart
            {
                Title = $"{key.Label}: cost per day since {Day(since)}",
                Unit = currency.ToString(),
                Series = [new AlertChartSeries(key.Label, [.. usage.Days.Select(d => new AlertChartPoint(d.Day, (double)d.Cost))])],
            },
        };
    }

    private static string UsageText(KeyUsage usage) => usage.Requests > 0
        ? $"{usage.Requests.ToString("N0", CultureInfo.InvariantCulture)} requests, {MoneyUnits.Display(usage.Cost, usage.Currency ?? Currency.USD)}"
        : $"last used {Day(usage.ListedLastUsedAt!.Value)} (provider)";

    private static string Days(DateTimeOffset from, DateTimeOffset? to) =>
        to is { } t && t > from ? $"{Math.Max(0, (t - from).Days)} day(s)" : "0 day(s)";

    private static DateTimeOffset Born(KeyState k) => k.Key.CreatedAt ?? k.FirstSeenAt;

    private static string? Empty(string text) => text.Length > 0 ? text : null;

    private static string Day(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Whole(TimeSpan span) => span.TotalDays.ToString("0", CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
