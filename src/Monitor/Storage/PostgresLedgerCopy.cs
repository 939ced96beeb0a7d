using System.Data.Common;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Monitor.Storage;

/// <summary>
/// <c>monitor migrate --to-postgres</c>: copies a SQLite ledger, every table the migrations made (usage records, rollup
/// and snapshots, alerts, mutes and the outbox, watermarks and pull runs, detector states, inventory, proxy counts...),
/// into a PostgreSQL database in one transaction. Both are migrated first, so their tables and columns are the same
/// (a test holds the two schemas equal). A target with rows is refused unless <c>replace</c> empties it in the same
/// transaction; identity sequences then continue after the copied ids. Rows go through PostgreSQL's binary COPY.
/// </summary>
public static class PostgresLedgerCopy
{
    /// <summary>Tables that are not ledger data: the migrations' own record, and Quartz's scheduler state (PostgreSQL only).</summary>
    private static bool IsLedgerTable(string table) => table != "schema_version" && !table.StartsWith("qrtz_", StringComparison.Ordinal);

    /// <summary>Copies every ledger table; returns each table's row count as copied (and verified), in copy order.</summary>
    /// <exception cref="BadInputException">The target holds rows and <paramref name="replace"/> is false.</exception>
    public static async Task<IReadOnlyList<(string Table, long Rows)>> CopyAsync(
        Database sqlite, Database postgres, bool replace, Action<string, long>? copied, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sqlite);
        ArgumentNullException.ThrowIfNull(postgres);
        if (sqlite.Dialect != SqlDialect.Sqlite || postgres.Dialect != SqlDialect.Postgres)
            throw new InvalidOperationException("migrate --to-postgres copies a SQLite ledger into PostgreSQL");

        await using var source = await sqlite.OpenAsync(ct);
        await using var target = (NpgsqlConnection)await postgres.OpenAsync(ct);
        // Each at this build's last migration of its dialect: then both have the same ledger tables and columns.
        foreach (var (connection, dialect) in new[] { (source, SqlDialect.Sqlite), ((DbConnection)target, SqlDialect.Postgres) })
        {
            var version = await connection.ExecuteScalarAsync<long>("SELECT COALESCE(MAX(version), 0) FROM schema_version");
            if (version != MigrationRunner.For(dialect)[^1].Version)
                throw new InvalidOperationException($"the {dialect} ledger is at version {version:D4}, not {MigrationRunner.For(dialect)[^1].Version:D4}: migrate it first");
        }

        var sourceTables = (await source.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table'")).ToHashSet(StringComparer.Ordinal);
        var columns = (await target.QueryAsync<(string Table, string Column, string Type)>(
                """
                SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
                WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position
                """))
            .Where(c => IsLedgerTable(c.Table) && sourceTables.Contains(c.Table))
            .GroupBy(c => c.Table, StringComparer.Ordinal)
            .ToList();

        await using var tx = await target.BeginTransactionAsync(ct);
        var tables = string.Join(", ", columns.Select(t => Quote(t.Key)));
        // Nobody writes the target while it is filled; a second migrate waits here and then finds it full.
        await target.ExecuteAsync($"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE", transaction: tx);
        var occupied = new List<string>();
        foreach (var t in columns)
        {
            if (await target.ExecuteScalarAsync<bool>($"SELECT EXISTS (SELECT 1 FROM {Quote(t.Key)})", transaction: tx))
                occupied.Add(t.Key);
        }

        if (occupied.Count > 0 && !replace)
            throw new BadInputException($"migrate --to-postgres: the PostgreSQL ledger is not empty ({string.Join(", ", occupied)} hold rows); pass --replace to empty it and copy again");
        if (occupied.Count > 0)
            await target.ExecuteAsync($"TRUNCATE {tables} RESTART IDENTITY", transaction: tx);

        var counts = new List<(string, long)>();
        foreach (var t in columns)
        {
            var rows = await CopyTableAsync(source, target, t.Key, [.. t.Select(c => (c.Column, c.Type))], ct);
            var expected = await source.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {Quote(t.Key)}");
            var written = await target.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {Quote(t.Key)}", transaction: tx);
            if (rows != expected || written != expected)
                throw new InvalidOperationException($"{t.Key}: {expected} rows in SQLite, {written} in PostgreSQL after the copy");
            if (t.Any(c => c.Column == "id") && await target.ExecuteScalarAsync<string?>("SELECT pg_get_serial_sequence(@table, 'id')", new { table = t.Key }, tx) is { } sequence)
            {
                // Identity columns go on after the copied ids.
                await target.ExecuteAsync(
                    $"SELECT setval(@sequence, COALESCE((SELECT MAX(id) FROM {Quote(t.Key)}), 0) + 1, false)", new { sequence }, tx);
            }

            counts.Add((t.Key, rows));
            copied?.Invoke(t.Key, rows);
        }

        await tx.CommitAsync(ct);
        return counts;
    }

    private static async Task<long> CopyTableAsync(
        DbConnection source, NpgsqlConnection target, string table, (string Name, string Type)[] columns, CancellationToken ct)
    {
        var list = string.Join(", ", columns.Select(c => Quote(c.Name)));
        var types = columns.Select(c => TypeOf(table, c)).ToArray();
        await using var reader = await source.ExecuteReaderAsync($"SELECT {list} FROM {Quote(table)}");
        await using var import = await target.BeginBinaryImportAsync($"COPY {Quote(table)} ({list}) FROM STDIN (FORMAT BINARY)", ct);
        long rows = 0;
        while (await reader.ReadAsync(ct))
        {
            await import.StartRowAsync(ct);
            for (var i = 0; i < types.Length; i++)
            {
                if (reader.IsDBNull(i))
                {
                    await import.WriteNullAsync(ct);
                    continue;
                }

                // SQLite keeps what it was given: integers as Int64, text as string, blobs as byte[].
                switch (types[i])
                {
                    case NpgsqlDbType.Bigint: await import.WriteAsync(reader.GetInt64(i), types[i], ct); break;
                    case NpgsqlDbType.Integer: await import.WriteAsync(checked((int)reader.GetInt64(i)), types[i], ct); break;
                    case NpgsqlDbType.Bytea: await import.WriteAsync((byte[])reader.GetValue(i), types[i], ct); break;
                    default: await import.WriteAsync(reader.GetString(i), types[i], ct); break;
                }
            }

            rows++;
        }

        await import.CompleteAsync(ct);
        return rows;
    }

    private static NpgsqlDbType TypeOf(string table, (string Name, string Type) column) => column.Type switch
    {
        "bigint" => NpgsqlDbType.Bigint,
        "integer" => NpgsqlDbType.Integer,
        "bytea" => NpgsqlDbType.Bytea,
        "text" => NpgsqlDbType.Text,
        _ => throw new InvalidOperationException($"{table}.{column.Name}: no copy for PostgreSQL type {column.Type}"),
    };

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
