using System.Data;
using System.Data.Common;
using Dapper;
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

    /// <summary>The dialect an open connection speaks, for statements built next to a caller's connection.</summary>
    public static SqlDialect DialectOf(DbConnection connection) => connection is SqliteConnection ? SqlDialect.Sqlite : SqlDialect.Postgres;

    /// <summary>
    /// <paramref name="column"/> is one of the list parameter <paramref name="parameter"/> (a collection): Dapper expands
    /// <c>IN @list</c> for SQLite, while for Npgsql it sends the list as one array, which PostgreSQL compares with <c>= ANY</c>.
    /// </summary>
    public static string In(SqlDialect dialect, string column, string parameter) =>
        dialect == SqlDialect.Postgres ? $"{column} = ANY({parameter})" : $"{column} IN {parameter}";

    /// <summary><paramref name="column"/> is none of the list parameter <paramref name="parameter"/> (see <see cref="In"/>).</summary>
    public static string NotIn(SqlDialect dialect, string column, string parameter) =>
        dialect == SqlDialect.Postgres ? $"{column} <> ALL({parameter})" : $"{column} NOT IN {parameter}";

    /// <summary>
    /// Appended to a SELECT that picks rows to claim (a queue): on PostgreSQL it locks them and skips rows another node
    /// is claiming right now, so two nodes never claim one row; SQLite has one writer at a time and needs nothing.
    /// </summary>
    public static string ClaimRows(SqlDialect dialect) => dialect == SqlDialect.Postgres ? " FOR UPDATE SKIP LOCKED" : "";

    /// <summary>
    /// Serializes a read-decide-write on one <paramref name="name"/> of a <paramref name="scope"/> (a constant per kind of
    /// decision) across processes until <paramref name="transaction"/> ends: on PostgreSQL a transaction-level advisory
    /// lock; on SQLite the write transaction of <see cref="BeginWriteAsync"/> already holds the database's one write lock.
    /// </summary>
    public static Task SerializeAsync(DbConnection connection, DbTransaction transaction, int scope, string name, CancellationToken ct) =>
        connection is SqliteConnection
            ? Task.CompletedTask
            : connection.ExecuteAsync(new CommandDefinition(
                "SELECT pg_advisory_xact_lock(@scope, hashtext(@name))", new { scope, name }, transaction, cancellationToken: ct));

    /// <summary>The advisory-lock scopes of <see cref="SerializeAsync"/>: one per kind of decision.</summary>
    public static class Locks
    {
        /// <summary>An account's daily rollup, recomputed from its records.</summary>
        public const int Rollup = 1;

        /// <summary>Raising alerts: which decisions are new and how each is delivered (cooldowns).</summary>
        public const int Alerts = 2;
    }

    /// <summary>
    /// A parameter of a command prepared once and run for many rows. The SQL names it <c>@name</c>, which both SQLite and
    /// Npgsql bind; the type is given up front because a prepared PostgreSQL statement fixes its parameter types.
    /// </summary>
    public static DbParameter Parameter(DbCommand command, string name, DbType type)
    {
        ArgumentNullException.ThrowIfNull(command);
        var p = command.CreateParameter();
        p.ParameterName = "@" + name;
        p.DbType = type;
        p.Value = DBNull.Value;
        command.Parameters.Add(p);
        return p;
    }

    /// <summary>
    /// A transaction that writes: on SQLite BEGIN IMMEDIATE takes the write lock now, so two writers queue instead of
    /// one failing at commit; PostgreSQL's row locks and constraints do that job inside a plain transaction.
    /// </summary>
    public static async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken ct) =>
        connection is SqliteConnection sqlite
            ? sqlite.BeginTransaction(deferred: false)
            : await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
}
