using System.Data.Common;
using Dapper;
using Monitor.Providers;

namespace Monitor.Storage;

/// <summary>
/// Format drift per account, UTC day, endpoint and field path (migration 0014): the first sighting of a day is stored
/// (and logged by the caller), later ones of that day only count up, so a drift is reported once a day, not per pull.
/// </summary>
public static class ProviderDriftRepository
{
    /// <summary>Stores <paramref name="items"/>; returns those not yet seen for this account today.</summary>
    public static async Task<IReadOnlyList<DriftItem>> RecordAsync(
        DbConnection c, DbTransaction? tx, string account, IReadOnlyList<DriftItem> items, DateTimeOffset now)
    {
        var fresh = new List<DriftItem>();
        var at = now.ToUnixTimeSeconds();
        var day = UsageRollup.DayOf(at);
        foreach (var item in items)
        {
            var inserted = await c.ExecuteAsync(
                """
                INSERT INTO provider_drift (account, day, endpoint, path, problem, first_seen_at, last_seen_at, occurrences)
                VALUES (@account, @day, @Endpoint, @Path, @Problem, @at, @at, 1)
                ON CONFLICT (account, day, endpoint, path) DO NOTHING
                """,
                new { account, day, item.Endpoint, item.Path, item.Problem, at }, tx);
            if (inserted > 0)
            {
                fresh.Add(item);
                continue;
            }

            await c.ExecuteAsync(
                """
                UPDATE provider_drift SET last_seen_at = @at, occurrences = occurrences + 1
                WHERE account = @account AND day = @day AND endpoint = @Endpoint AND path = @Path
                """,
                new { account, day, item.Endpoint, item.Path, at }, tx);
        }

        return fresh;
    }

    /// <summary>The drift lines of a pull run: one <c>endpoint path: problem</c> a line, or null when none.</summary>
    public static string? Describe(IReadOnlyList<DriftItem> items) =>
        items.Count == 0 ? null : string.Join('\n', items.Select(i => i.ToString()));
}
