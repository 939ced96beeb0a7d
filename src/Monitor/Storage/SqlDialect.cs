namespace Monitor.Storage;

/// <summary>The two databases the ledger runs on: SQLite for one node, PostgreSQL for a cluster.</summary>
public enum SqlDialect
{
    Sqlite,
    Postgres,
}
