using System.Data.Common;
using Dapper;

namespace Monitor.Storage;

/// <summary>
/// Clustered mode's shared running totals of enforced budgets (<c>enforced_spend</c>): each node adds what it metered
/// per budget and minute the moment it meters it, and reads what the other nodes metered before it decides on a call.
/// Synchronous on purpose: both happen on the proxy's request path, where the decision must not wait a flush.
/// </summary>
public sealed class SharedSpendRepository(Database database)
{
    /// <summary>This process's name in the table: one per node start.</summary>
    public string Node { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";

    public bool Shared => database.Dialect == SqlDialect.Postgres;

    public void Add(IReadOnlyList<(string Budget, long Minute, long Micros)> spend)
    {
        using var connection = Open();
        connection.Execute(
            """
            INSERT INTO enforced_spend (budget, minute, node, micros) VALUES (@Budget, @Minute, @node, @Micros)
            ON CONFLICT (budget, minute, node) DO UPDATE SET micros = enforced_spend.micros + excluded.micros
            """,
            spend.Select(s => new { s.Budget, s.Minute, node = Node, s.Micros }));
    }

    /// <summary>What the other nodes metered toward each budget from its own first minute on, in one query.</summary>
    public Dictionary<string, long> Others(IReadOnlyList<(string Budget, long From)> budgets)
    {
        using var connection = Open();
        // PostgreSQL only (a single SQLite node never shares): the budgets travel as two arrays.
        return connection.Query<(string Budget, long Micros)>(
                """
                SELECT w.budget, CAST(COALESCE(SUM(s.micros), 0) AS BIGINT)
                FROM unnest(@names, @froms) AS w(budget, since)
                LEFT JOIN enforced_spend s ON s.budget = w.budget AND s.minute >= w.since AND s.node <> @node
                GROUP BY w.budget
                """,
                new { names = budgets.Select(b => b.Budget).ToArray(), froms = budgets.Select(b => b.From).ToArray(), node = Node })
            .ToDictionary(r => r.Budget, r => r.Micros, StringComparer.Ordinal);
    }

    /// <summary>Drops this node's minutes the ledger holds by now.</summary>
    public async Task PruneAsync(long before, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM enforced_spend WHERE minute < @before AND node = @node", new { before, node = Node }, cancellationToken: ct));
    }

    private DbConnection Open() => database.Open();
}
