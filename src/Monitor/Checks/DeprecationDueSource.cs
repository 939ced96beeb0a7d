using Microsoft.Extensions.Options;
using Monitor.Core.Deprecations;
using Monitor.Dashboard;
using Monitor.Hosting;

namespace Monitor.Checks;

/// <summary>
/// The dashboard's "deprecations due": the models the deprecation check reminds about at that instant (same ledger
/// read, same lifecycle catalog, same due rule), soonest retirement first.
/// </summary>
public sealed class DeprecationDueSource(DeprecationEvaluator deprecations, IOptions<MonitorOptions> options) : IDeprecationSource
{
    public async Task<IReadOnlyList<DeprecationDue>> DeprecationsAsync(DateTimeOffset now, CancellationToken ct)
    {
        var windowDays = options.Value.Deprecations.UsedWithinDays;
        return
        [
            .. (await deprecations.ModelsInUseAsync(now, ct))
                .Where(u => DeprecationAlerts.IsDue(u.Use, u.Lifecycle, now))
                .Select(u => new DeprecationDue(
                    u.Use.Account, u.Use.Model, u.Lifecycle.RetiresAt, Milestones.DaysLeft(u.Lifecycle.RetiresAt, now), u.Lifecycle.Replacement,
                    DeprecationAlerts.Monthly(u.Use.Cost, windowDays), u.Use.Currency.ToString(),
                    [.. DeprecationAlerts.CallersBySpend(u.Use).Select(Caller).Distinct(StringComparer.Ordinal)]))
                .OrderBy(d => d.DaysLeft).ThenBy(d => d.Account, StringComparer.Ordinal).ThenBy(d => d.Model, StringComparer.Ordinal),
        ];
    }

    /// <summary>A caller in a few words (the page joins them with commas): the key's name, else its id, else the workspace.</summary>
    private static string Caller(ModelCaller c) =>
        c.KeyName is { Length: > 0 } name ? name
        : c.KeyId.Length > 0 ? c.KeyId
        : c.Workspace.Length > 0 ? $"workspace {c.Workspace}"
        : "(no workspace or key)";
}
