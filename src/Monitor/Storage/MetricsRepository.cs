using Dapper;

namespace Monitor.Storage;

/// <summary>What <c>/metrics</c> reports of the ledger: spend per account and currency, pull outcomes, open alerts and the outbox per channel.</summary>
public sealed class MetricsRepository(Database database)
{
    /// <summary>The figures as they stand, with the rollup's spend over [from, to).</summary>
    public async Task<MonitorFigures> ReadAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var spend = await c.QueryAsync<(string Account, string Currency, long Micros)>(new CommandDefinition(
            """
            SELECT account, currency, CAST(SUM(cost_micros) AS BIGINT) FROM usage_daily
            WHERE day >= @from AND day < @to GROUP BY account, currency ORDER BY account, currency
            """, new { from = from.ToUnixTimeSeconds(), to = to.ToUnixTimeSeconds() }, cancellationToken: ct));
        var pulls = await c.QueryAsync<(string Account, string Outcome, long Count)>(new CommandDefinition(
            "SELECT account, outcome, COUNT(*) FROM pull_runs GROUP BY account, outcome ORDER BY account, outcome", cancellationToken: ct));
        var lastOk = await c.QueryAsync<(string Account, long At)>(new CommandDefinition(
            "SELECT account, MAX(started_at) FROM pull_runs WHERE outcome = 'ok' GROUP BY account ORDER BY account", cancellationToken: ct));
        var alerts = await c.QueryAsync<(string Kind, string Severity, long Count)>(new CommandDefinition(
            "SELECT kind, severity, COUNT(*) FROM alerts WHERE status IN ('open', 'sent') GROUP BY kind, severity ORDER BY kind, severity",
            cancellationToken: ct));
        return new MonitorFigures([.. spend], [.. pulls], [.. lastOk], [.. alerts], await new OutboxRepository(database).StatusAsync(ct));
    }
}
