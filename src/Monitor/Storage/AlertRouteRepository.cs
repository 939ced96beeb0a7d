using System.Data.Common;
using Dapper;
using Monitor.Core;
using Monitor.Core.Alerts;

namespace Monitor.Storage;

/// <summary>
/// How each channel delivers each alert (alert_routes): a message of its own, a digest line or nothing. The cooldowns
/// and digests of every channel are read from here, inside the raising and digest transactions.
/// </summary>
public static class AlertRouteRepository
{
    public static Task InsertAsync(DbConnection c, DbTransaction tx, long alertId, AlertRoute route, DateTimeOffset raisedAt, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO alert_routes (alert_id, channel, delivery, cooldown_key, severity, raised_at, digested_at)
            VALUES (@alertId, @Channel, @Delivery, @cooldown, @severity, @at, NULL)
            """,
            route.Channels.Select(r => new
            {
                alertId, r.Channel, Delivery = SnakeCase.Of(r.Delivery), cooldown = route.Decision.EffectiveCooldownKey,
                severity = SnakeCase.Of(route.Decision.Severity), at = raisedAt.ToUnixTimeSeconds(),
            }),
            tx, cancellationToken: ct));

    /// <summary>Per channel and cooldown key among <paramref name="cooldownKeys"/>: the last message of its own, and its severity.</summary>
    public static async Task<IReadOnlyDictionary<(string Channel, string CooldownKey), (DateTimeOffset At, AlertSeverity Severity)>> LastImmediateAsync(
        DbConnection c, DbTransaction tx, IEnumerable<string> cooldownKeys, CancellationToken ct)
    {
        var found = new Dictionary<(string, string), (DateTimeOffset, AlertSeverity)>();
        var sql =
            $"""
            SELECT r.channel, r.cooldown_key, r.raised_at, r.severity FROM alert_routes r
            WHERE {Sql.In(Sql.DialectOf(c), "r.cooldown_key", "@chunk")} AND r.delivery = 'immediate'
              AND r.raised_at = (SELECT MAX(x.raised_at) FROM alert_routes x
                                 WHERE x.channel = r.channel AND x.cooldown_key = r.cooldown_key AND x.delivery = 'immediate')
            """;
        foreach (var chunk in cooldownKeys.Distinct(StringComparer.Ordinal).Chunk(500))
        {
            foreach (var (channel, key, at, severity) in await c.QueryAsync<(string, string, long, string)>(new CommandDefinition(sql, new { chunk }, tx, cancellationToken: ct)))
            {
                var s = Enum.Parse<AlertSeverity>(severity, ignoreCase: true);
                // Two messages in the same second: the more severe one counts.
                if (!found.TryGetValue((channel, key), out var seen) || s > seen.Item2)
                    found[(channel, key)] = (DateTimeOffset.FromUnixTimeSeconds(at), s);
            }
        }

        return found;
    }

    /// <summary>The ids of one channel's alerts waiting for a digest, raised up to <paramref name="upTo"/>, oldest first.</summary>
    public static async Task<IReadOnlyList<long>> DigestPendingAsync(DbConnection c, DbTransaction tx, string channel, DateTimeOffset upTo, CancellationToken ct) =>
    [
        .. await c.QueryAsync<long>(new CommandDefinition(
            "SELECT alert_id FROM alert_routes WHERE channel = @channel AND delivery = 'digest' AND digested_at IS NULL AND raised_at <= @upTo ORDER BY alert_id",
            new { channel, upTo = upTo.ToUnixTimeSeconds() }, tx, cancellationToken: ct)),
    ];

    /// <summary>Marks one channel's alerts as gathered into a digest (inside the transaction that queues the digest).</summary>
    public static Task MarkDigestedAsync(DbConnection c, DbTransaction tx, string channel, IReadOnlyList<long> alertIds, DateTimeOffset at, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            $"UPDATE alert_routes SET digested_at = @at WHERE channel = @channel AND {Sql.In(Sql.DialectOf(c), "alert_id", "@ids")} AND digested_at IS NULL",
            new { at = at.ToUnixTimeSeconds(), channel, ids = alertIds.ToArray() }, tx, cancellationToken: ct));

    /// <summary>The channels an alert went to or waits in a digest for (not those that held it back): where a resolve must follow.</summary>
    public static async Task<IReadOnlyList<string>> DeliveredToAsync(DbConnection c, DbTransaction tx, long alertId, CancellationToken ct) =>
    [
        .. await c.QueryAsync<string>(new CommandDefinition(
            "SELECT channel FROM alert_routes WHERE alert_id = @alertId AND delivery <> 'none' ORDER BY channel",
            new { alertId }, tx, cancellationToken: ct)),
    ];
}
