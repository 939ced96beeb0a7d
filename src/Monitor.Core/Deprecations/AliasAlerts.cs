using System.Globalization;
using Monitor.Core.Alerts;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;

namespace Monitor.Core.Deprecations;

/// <summary>
/// Aliases that move (behaviour and cost change without a code change) and keys that call <c>-latest</c> aliases.
/// A move alerts once (<c>alias_moved:{account}:{alias}:{seen}</c>) when the alias, its old or its new model was
/// called within the window; a key calling an alias gets an advisory at most once per month
/// (<c>alias_advice:{account}:{key}:{yyyy-MM}</c>).
/// </summary>
public static class AliasAlerts
{
    /// <param name="history">Every observation up to now, any order.</param>
    /// <param name="used">(account, model) pairs called within the window (aliases included as called).</param>
    /// <param name="accounts">Each account's provider and currency.</param>
    public static IEnumerable<AlertDecision> Moves(
        IEnumerable<AliasObservation> history, IReadOnlySet<(string Account, string Model)> used,
        IReadOnlyDictionary<string, (ProviderKind Provider, Currency Currency)> accounts, PriceCatalog catalog,
        DateTimeOffset now, TimeSpan window)
    {
        foreach (var alias in history.Where(o => o.FirstSeenAt <= now).GroupBy(o => (o.Account, o.Alias)))
        {
            var steps = alias.OrderBy(o => o.FirstSeenAt).ToList();
            for (var i = 1; i < steps.Count; i++)
            {
                var (before, after) = (steps[i - 1], steps[i]);
                if (before.Model == after.Model || after.FirstSeenAt < now - window)
                    continue;
                if (!used.Contains((after.Account, after.Alias)) && !used.Contains((after.Account, before.Model)) && !used.Contains((after.Account, after.Model)))
                    continue;
                var (provider, currency) = accounts.TryGetValue(after.Account, out var a) ? a : (ProviderKind.Mistral, Currency.USD);
                var price = PriceChange.Describe(catalog, provider, before.Model, after.Model, currency, after.FirstSeenAt);
                yield return new AlertDecision
                {
                    Kind = AlertKind.AliasMoved,
                    Severity = AlertSeverity.Warning,
                    Account = after.Account,
                    Model = after.Alias,
                    Title = $"[Alias moved] {after.Alias} now resolves to {after.Model} (was {before.Model}) on {after.Account}",
                    Detail = $"Calls to {after.Alias} on {after.Account} are served by {after.Model} since about " +
                             $"{Time(after.FirstSeenAt)} instead of {before.Model}: behaviour and cost change without any code change. " +
                             $"Price change: {price}.",
                    DedupKey = $"alias_moved:{after.Account}:{after.Alias}:{after.FirstSeenAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}",
                    OccurredAt = after.FirstSeenAt,
                    Evidence = new AlertEvidence
                    {
                        Facts =
                        [
                            new("Alias", after.Alias), new("Old model", before.Model), new("New model", after.Model),
                            new("Old model seen since", Time(before.FirstSeenAt)), new("Moved (first seen)", Time(after.FirstSeenAt)),
                            new("Price change", price),
                        ],
                        Runbook =
                        [
                            $"Check the callers of {after.Alias} still behave as expected on {after.Model}.",
                            $"To keep the old behaviour, pin {before.Model} while it is still served.",
                        ],
                    },
                };
            }
        }
    }

    /// <summary>Gentle advice to pin a dated model, once per key per month.</summary>
    public static IEnumerable<AlertDecision> Advice(IEnumerable<AliasCall> calls, DateTimeOffset now)
    {
        var month = now.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        foreach (var key in calls.GroupBy(c => (c.Account, c.Workspace, c.KeyId)).OrderBy(g => g.Key.Account, StringComparer.Ordinal).ThenBy(g => g.Key.KeyId, StringComparer.Ordinal))
        {
            var list = key.OrderByDescending(c => c.Requests).ThenBy(c => c.Alias, StringComparer.Ordinal).ToList();
            var first = list[0];
            var who = first.KeyId.Length > 0 ? $"key {first.KeyName ?? first.KeyId}" : $"workspace {first.Workspace}";
            var aliases = string.Join(", ", list.Select(c => c.ResolvesTo is { } m ? $"{c.Alias} (now {m})" : c.Alias));
            yield return new AlertDecision
            {
                Kind = AlertKind.AliasMoved,
                Severity = AlertSeverity.Info,
                Account = first.Account,
                Workspace = first.Workspace.Length > 0 ? first.Workspace : null,
                KeyId = first.KeyId.Length > 0 ? first.KeyId : null,
                Title = $"[Advice] Production {who} calls {list.Count} moving alias(es) on {first.Account}: pin a dated version",
                Detail = $"The production {who} calls {aliases}. An alias moves to a new model when the provider releases one, " +
                         "so behaviour and price change without a deploy. Pin the dated model it resolves to.",
                DedupKey = $"alias_advice:{first.Account}:{(first.KeyId.Length > 0 ? first.KeyId : "ws:" + first.Workspace)}:{month}",
                OccurredAt = now,
                Evidence = new AlertEvidence
                {
                    Breakdowns =
                    [
                        new AlertBreakdown("Aliases called this month", [.. list.Select(c => new AlertFact(c.Alias,
                            $"{c.Requests.ToString("N0", CultureInfo.InvariantCulture)} requests, {MoneyUnits.Display(c.Cost, c.Currency)}" +
                            (c.ResolvesTo is { } m ? $", resolves to {m}" : "")))]),
                    ],
                    Runbook = ["Replace each alias in the configuration by the dated model it resolves to.", "Deploy, then check the alias' traffic falls to zero here."],
                },
            };
        }
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
