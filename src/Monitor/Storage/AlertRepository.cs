using System.Data.Common;
using Dapper;
using Monitor.Core;
using Monitor.Core.Alerts;

namespace Monitor.Storage;

/// <summary>
/// Alerts as Core decided them, and what people said about them (acknowledged, false, muted). Raising is idempotent by
/// dedup key: the same incident is stored once however often it is evaluated, across restarts and nodes.
/// </summary>
public sealed class AlertRepository(Database database)
{
    private const string Columns =
        """
        id AS Id, kind AS KindText, severity AS SeverityText, status AS StatusText, account AS Account, workspace AS Workspace,
        key_id AS KeyId, model AS Model, title AS Title, detail AS Detail, raised_at AS RaisedAt, occurred_at AS OccurredAt,
        sent_at AS SentAt, delivery AS Delivery, dedup_key AS DedupKey, evidence AS EvidenceJson, recipients AS RecipientsText
        """;

    /// <summary>Which of these dedup keys are already stored (so only new decisions are composed and mailed).</summary>
    public async Task<IReadOnlySet<string>> ExistingAsync(IEnumerable<string> dedupKeys, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        return await ExistingAsync(c, null, dedupKeys, ct);
    }

    /// <summary>Which of these dedup keys are already stored, read inside the caller's transaction.</summary>
    public static async Task<IReadOnlySet<string>> ExistingAsync(DbConnection c, DbTransaction? tx, IEnumerable<string> dedupKeys, CancellationToken ct)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var sql = $"SELECT dedup_key FROM alerts WHERE {Sql.In(Sql.DialectOf(c), "dedup_key", "@chunk")}";
        foreach (var chunk in dedupKeys.Distinct(StringComparer.Ordinal).Chunk(500))
            found.UnionWith(await c.QueryAsync<string>(new CommandDefinition(sql, new { chunk }, tx, cancellationToken: ct)));
        return found;
    }

    /// <summary>
    /// Serializes raising across nodes until <paramref name="tx"/> ends (inside a <see cref="Sql.BeginWriteAsync"/>
    /// transaction): which decisions are new and which cooldown holds are then read and written by one node at a time.
    /// </summary>
    public static Task LockRaisingAsync(DbConnection c, DbTransaction tx, CancellationToken ct) =>
        Sql.SerializeAsync(c, tx, Sql.Locks.Alerts, "raise", ct);

    /// <summary>Serializes gathering digests across nodes until <paramref name="tx"/> ends: each alert goes into one digest mail.</summary>
    public static Task LockDigestAsync(DbConnection c, DbTransaction tx, CancellationToken ct) =>
        Sql.SerializeAsync(c, tx, Sql.Locks.Alerts, "digest", ct);

    /// <summary>Inserts one alert unless its dedup key exists; returns its id, or null when it was already there.</summary>
    public static async Task<long?> InsertAsync(
        DbConnection c, DbTransaction tx, AlertDecision d, DateTimeOffset raisedAt, AlertStatus status, string delivery, CancellationToken ct)
    {
        // The unique dedup key decides: of two nodes inserting one incident, the second waits for the first and inserts nothing.
        return await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            """
            INSERT INTO alerts (kind, severity, status, account, workspace, key_id, model, title, detail, raised_at, sent_at, dedup_key,
                                occurred_at, evidence, recipients, delivery)
            VALUES (@kind, @severity, @status, @Account, @Workspace, @KeyId, @Model, @Title, @Detail, @at, NULL, @DedupKey,
                    @occurred, @evidence, @recipients, @delivery)
            ON CONFLICT (dedup_key) DO NOTHING
            RETURNING id
            """,
            new
            {
                kind = SnakeCase.Of(d.Kind), severity = SnakeCase.Of(d.Severity), status = SnakeCase.Of(status), d.Account, d.Workspace, d.KeyId, d.Model,
                d.Title, d.Detail, at = raisedAt.ToUnixTimeSeconds(), d.DedupKey, occurred = d.OccurredAt?.ToUnixTimeSeconds(),
                evidence = EvidenceJson.Write(d.Evidence), recipients = d.To.Count == 0 ? null : string.Join(',', d.To),
                delivery,
            },
            tx, cancellationToken: ct));
    }

    public async Task<AlertRow?> GetAsync(long id, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        return (await GetManyAsync(c, null, [id], ct)).SingleOrDefault();
    }

    /// <summary>These alerts, oldest first (a digest's lines), read inside the caller's transaction.</summary>
    public static async Task<IReadOnlyList<AlertRow>> GetManyAsync(DbConnection c, DbTransaction? tx, IReadOnlyList<long> ids, CancellationToken ct)
    {
        var rows = new List<AlertRow>(ids.Count);
        var sql = $"SELECT {Columns} FROM alerts WHERE {Sql.In(Sql.DialectOf(c), "id", "@chunk")} ORDER BY id";
        foreach (var chunk in ids.Chunk(500))
            rows.AddRange((await c.QueryAsync<Stored>(new CommandDefinition(sql, new { chunk }, tx, cancellationToken: ct))).Select(r => r.ToRow()));
        return rows;
    }

    /// <summary>Alerts with one of these statuses, newest first (critical before warning before info on the same time).</summary>
    public async Task<IReadOnlyList<AlertRow>> ListAsync(IReadOnlyCollection<AlertStatus> statuses, int limit, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var names = statuses.Select(s => SnakeCase.Of(s)).ToArray();
        var rows = await c.QueryAsync<Stored>(
            $"""
            SELECT {Columns} FROM alerts WHERE {Sql.In(database.Dialect, "status", "@names")}
            ORDER BY raised_at DESC, CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, id DESC LIMIT @limit
            """,
            new { names, limit });
        return [.. rows.Select(r => r.ToRow())];
    }

    /// <summary>Marks an alert handled: acknowledged (seen, being dealt with) or false (not a real problem). False when no such alert.</summary>
    public static async Task<bool> SetStatusAsync(DbConnection c, DbTransaction tx, long id, AlertStatus status, string? note, DateTimeOffset at, CancellationToken ct) =>
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE alerts SET status = @status, handled_at = @at, handled_note = @note WHERE id = @id",
            new { id, status = SnakeCase.Of(status), at = at.ToUnixTimeSeconds(), note }, tx, cancellationToken: ct)) == 1;

    /// <summary>
    /// Planned activity: mutes the alert's scope (account, workspace, key, model) from its start until <paramref name="until"/>
    /// and marks it muted. Returns the mute, or null when there is no such alert.
    /// </summary>
    public static async Task<AlertMute?> MuteAsync(
        DbConnection c, DbTransaction tx, long alertId, DateTimeOffset until, string reason, DateTimeOffset at, CancellationToken ct)
    {
        var alert = (await GetManyAsync(c, tx, [alertId], ct)).SingleOrDefault();
        if (alert is null)
            return null;
        var from = alert.OccurredAt is { } o && o < alert.RaisedAt ? o : alert.RaisedAt;
        var id = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO mutes (kind, account, workspace, key_id, model, from_at, until_at, reason, alert_id, created_at)
            VALUES (NULL, @Account, @Workspace, @KeyId, @Model, @from, @until, @reason, @alertId, @at)
            RETURNING id
            """,
            new { alert.Account, alert.Workspace, alert.KeyId, alert.Model, from = from.ToUnixTimeSeconds(), until = until.ToUnixTimeSeconds(), reason, alertId, at = at.ToUnixTimeSeconds() },
            tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE alerts SET status = 'muted', handled_at = @at, handled_note = @reason WHERE id = @alertId",
            new { alertId, at = at.ToUnixTimeSeconds(), reason }, tx, cancellationToken: ct));
        return new AlertMute(id, null, alert.Account, alert.Workspace, alert.KeyId, alert.Model, from, until, reason);
    }

    /// <summary>Mutes that overlap [from, to): planned activity to keep out of baselines and alerts.</summary>
    public async Task<IReadOnlyList<AlertMute>> MutesAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        return await MutesAsync(c, null, from, to, ct);
    }

    public static async Task<IReadOnlyList<AlertMute>> MutesAsync(DbConnection c, DbTransaction? tx, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var rows = await c.QueryAsync<(long Id, string? Kind, string? Account, string? Workspace, string? KeyId, string? Model, long From, long Until, string Reason)>(
            new CommandDefinition(
                """
                SELECT id, kind, account, workspace, key_id, model, from_at, until_at, reason FROM mutes
                WHERE from_at < @to AND until_at > @from ORDER BY id
                """,
                new { from = from.ToUnixTimeSeconds(), to = to.ToUnixTimeSeconds() }, tx, cancellationToken: ct));
        return [.. rows.Select(r => new AlertMute(
            r.Id, r.Kind is null ? null : KindOf(r.Kind), r.Account, r.Workspace, r.KeyId, r.Model,
            DateTimeOffset.FromUnixTimeSeconds(r.From), DateTimeOffset.FromUnixTimeSeconds(r.Until), r.Reason))];
    }

    public static AlertKind KindOf(string snake) => Enum.Parse<AlertKind>(snake.Replace("_", ""), ignoreCase: true);

    // Dapper's target for an alerts row; ToRow turns the stored text and seconds back into types.
    private sealed class Stored
    {
        public long Id { get; init; }
        public string KindText { get; init; } = "";
        public string SeverityText { get; init; } = "";
        public string StatusText { get; init; } = "";
        public string? Account { get; init; }
        public string? Workspace { get; init; }
        public string? KeyId { get; init; }
        public string? Model { get; init; }
        public string Title { get; init; } = "";
        public string Detail { get; init; } = "";
        public long RaisedAt { get; init; }
        public long? OccurredAt { get; init; }
        public long? SentAt { get; init; }
        public string Delivery { get; init; } = "";
        public string DedupKey { get; init; } = "";
        public string? EvidenceJson { get; init; }
        public string? RecipientsText { get; init; }

        public AlertRow ToRow() => new()
        {
            Id = Id, Kind = KindOf(KindText), Severity = Enum.Parse<AlertSeverity>(SeverityText, true),
            Status = Enum.Parse<AlertStatus>(StatusText, true), Account = Account, Workspace = Workspace, KeyId = KeyId, Model = Model,
            Title = Title, Detail = Detail, RaisedAt = DateTimeOffset.FromUnixTimeSeconds(RaisedAt),
            OccurredAt = OccurredAt is { } o ? DateTimeOffset.FromUnixTimeSeconds(o) : null,
            SentAt = SentAt is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null,
            Delivery = Delivery, DedupKey = DedupKey, Evidence = Storage.EvidenceJson.Read(EvidenceJson),
            Recipients = string.IsNullOrEmpty(RecipientsText) ? [] : RecipientsText.Split(','),
        };
    }
}
