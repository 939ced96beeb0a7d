using Dapper;

namespace Monitor.Storage;

/// <summary>The record of checks: the next check examines everything written since the previous one's as-of time.</summary>
public sealed class CheckRunRepository(Database database)
{
    /// <summary>
    /// The latest as-of of a check that finished without a failing evaluator (a replay of an earlier time does not move
    /// it back; a failed one does not move it forward, so the next check looks at those buckets again).
    /// </summary>
    public async Task<DateTimeOffset?> LastAsOfAsync(CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var seconds = await c.ExecuteScalarAsync<long?>("SELECT MAX(as_of) FROM check_runs WHERE finished_at IS NOT NULL AND error IS NULL");
        return seconds is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null;
    }

    public async Task<long> StartAsync(DateTimeOffset asOf, DateTimeOffset now, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        return await c.ExecuteScalarAsync<long>(
            "INSERT INTO check_runs (as_of, started_at) VALUES (@asOf, @now) RETURNING id",
            new { asOf = asOf.ToUnixTimeSeconds(), now = now.ToUnixTimeSeconds() });
    }

    public async Task FinishAsync(long id, DateTimeOffset now, int raised, string? error, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        await c.ExecuteAsync(
            "UPDATE check_runs SET finished_at = @now, raised = @raised, error = @error WHERE id = @id",
            new { id, now = now.ToUnixTimeSeconds(), raised, error });
    }
}
