using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Monitor.Storage;

/// <summary>
/// The SQL that SQLite and PostgreSQL write differently, in one place: repositories build their statements from these
/// pieces and never ask <see cref="Database.Dialect"/> themselves. What both dialects share stays plain SQL in the
/// repository: <c>ON CONFLICT ... DO UPDATE SET x = excluded.x</c> upserts, <c>RETURNING</c>, <c>LIMIT</c>,
/// <c>WITH RECURSIVE</c>, times as BIGINT Unix seconds and flags as BIGINT 0/1 (the PostgreSQL migrations keep those
/// types, so <c>counted = 1</c> and <c>is_month = 1</c> read the same on both).
/// </summary>
public static class Sql
{
    /// <summary>A UTC day in Unix seconds.</summary>
    public const long Day = 86_400;

    /// <summary>The UTC midnight (Unix seconds) of a non-negative Unix-seconds column: the day it is rolled up into.</summary>
    public static string DayOf(string column) => $"{column} - ({column} % 86400)";

    /// <summary>A condition as a 0/1 BIGINT: a comparison is an integer on SQLite but a boolean on PostgreSQL.</summary>
    public static string Flag(string condition) => $"CASE WHEN {condition} THEN 1 ELSE 0 END";

    /// <summary>A sum as a 64-bit integer, 0 when there are no rows: PostgreSQL's SUM of BIGINT is NUMERIC.</summary>
    public static string Total(string expression) => $"CAST(COALESCE(SUM({expression}), 0) AS BIGINT)";

    /// <summary>The larger of two values in a row (not an aggregate): SQLite's two-argument MAX, PostgreSQL's GREATEST.</summary>
    public static string Greatest(SqlDialect dialect, string a, string b) =>
        dialect == SqlDialect.Postgres ? $"GREATEST({a}, {b})" : $"MAX({a}, {b})";

    /// <summary>
    /// A transaction that writes: on SQLite BEGIN IMMEDIATE takes the write lock now, so two writers queue instead of
    /// one failing at commit; PostgreSQL's row locks and constraints do that job inside a plain transaction.
    /// </summary>
    public static async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken ct) =>
        connection is SqliteConnection sqlite
            ? sqlite.BeginTransaction(deferred: false)
            : await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
}
