using Dapper;
using Monitor.Core;
using Monitor.Core.Alerts;

namespace Monitor.Storage;

/// <summary>
/// Alerts as Core decided them. Raising is idempotent by dedup key: the same incident is stored once however often it
/// is evaluated, across restarts and nodes. New alerts are open and unsent; the alert outbox sends them.
/// </summary>
public sealed class AlertRepository(Database database)
{
    /// <summary>Stores the decisions not stored before; returns how many were new.</summary>
    public async Task<int> RaiseAsync(IEnumerable<AlertDecision> decisions, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var raised = 0;
        foreach (var d in decisions)
        {
            raised += await connection.ExecuteAsync(
                """
                INSERT INTO alerts (kind, severity, status, account, workspace, key_id, model, title, detail, raised_at, sent_at, dedup_key)
                VALUES (@kind, @severity, 'open', @Account, @Workspace, @KeyId, @Model, @Title, @Detail, @at, NULL, @DedupKey)
                ON CONFLICT (dedup_key) DO NOTHING
                """,
                new
                {
                    kind = SnakeCase.Of(d.Kind), severity = SnakeCase.Of(d.Severity), d.Account, d.Workspace, d.KeyId, d.Model,
                    d.Title, d.Detail, at = now.ToUnixTimeSeconds(), d.DedupKey,
                },
                tx);
        }

        await tx.CommitAsync(ct);
        return raised;
    }
}
