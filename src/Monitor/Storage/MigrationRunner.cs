using System.Data.Common;
using System.Reflection;
using System.Text.RegularExpressions;
using Dapper;

namespace Monitor.Storage;

/// <summary>
/// Applies the numbered migration files the database has not seen, each in its own transaction, and records them in
/// <c>schema_version</c>. Files are embedded and named <c>NNNN_name.sql</c> (both dialects), <c>NNNN_name.sqlite.sql</c> or
/// <c>NNNN_name.postgres.sql</c> (one dialect). Safe when several processes start at once: on PostgreSQL an advisory
/// lock holds the whole run; on SQLite each step takes the write lock before it reads what is applied.
/// </summary>
public sealed partial class MigrationRunner(Database database, TimeProvider clock)
{
    // Any fixed number: the advisory lock every node of one database takes while it migrates.
    private const long PostgresLock = 7_318_014_262_026;

    /// <summary>The migrations of <paramref name="dialect"/>, in order.</summary>
    public static IReadOnlyList<(int Version, string Name, string Resource)> For(SqlDialect dialect)
    {
        var list = Discover().Where(m => m.Dialect is null || m.Dialect == dialect).Select(m => (m.Version, m.Name, m.Resource)).ToList();
        // Two files of one version would leave the second unapplied forever: refuse the build's migrations outright.
        if (list.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new InvalidOperationException($"Migrations {string.Join(" and ", twice.Select(m => m.Resource))} share version {twice.Key:D4}");
        return list;
    }

    /// <summary>Applies what is missing; returns the versions applied now.</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var postgres = database.Dialect == SqlDialect.Postgres;
        if (postgres)
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@key)", new { key = PostgresLock }, cancellationToken: ct));
        else
            await connection.ExecuteAsync("PRAGMA journal_mode=WAL;"); // WAL lets the dashboard read while a pull writes; set once per file
        try
        {
            await connection.ExecuteAsync(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
            var done = new List<int>();
            foreach (var (version, name, resource) in For(database.Dialect))
            {
                if (await ApplyAsync(connection, version, name, resource, ct))
                    done.Add(version);
            }

            return done;
        }
        finally
        {
            if (postgres)
                await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = PostgresLock });
        }
    }

    public async Task<int> CurrentVersionAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var exists = database.Dialect == SqlDialect.Postgres
            ? await connection.ExecuteScalarAsync<bool>("SELECT to_regclass('schema_version') IS NOT NULL")
            : await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'") > 0;
        return exists ? await connection.ExecuteScalarAsync<int>("SELECT COALESCE(MAX(version), 0) FROM schema_version") : 0;
    }

    /// <summary>Applies one migration unless it is recorded already (checked inside its transaction, under the lock).</summary>
    private async Task<bool> ApplyAsync(DbConnection connection, int version, string name, string resource, CancellationToken ct)
    {
        string sql;
        await using (var stream = typeof(MigrationRunner).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Migration resource {resource} is missing from the build"))
        using (var reader = new StreamReader(stream))
        {
            sql = await reader.ReadToEndAsync(ct);
        }

        // SQLite: BEGIN IMMEDIATE takes the write lock before the check, so two processes never apply the same step.
        await using var tx = await Sql.BeginWriteAsync(connection, ct);
        try
        {
            if (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_version WHERE version = @version", new { version }, tx) > 0)
                return false;
            await connection.ExecuteAsync(sql, transaction: tx);
            await connection.ExecuteAsync(
                "INSERT INTO schema_version (version, name, applied_at) VALUES (@version, @name, @at)",
                new { version, name, at = clock.GetUtcNow().ToUnixTimeSeconds() }, tx);
            await tx.CommitAsync(ct);
            return true;
        }
        catch (DbException e)
        {
            throw new InvalidOperationException($"Migration {version:D4}_{name} failed on {database.Dialect}: {e.Message}", e);
        }
    }

    private static List<(int Version, string Name, SqlDialect? Dialect, string Resource)> Discover() =>
        Assembly.GetExecutingAssembly().GetManifestResourceNames()
            .Select(r => (Resource: r, Match: MigrationName().Match(r)))
            .Where(x => x.Match.Success)
            .Select(x => (
                int.Parse(x.Match.Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture),
                x.Match.Groups["name"].Value,
                x.Match.Groups["dialect"].Success ? (SqlDialect?)Enum.Parse<SqlDialect>(x.Match.Groups["dialect"].Value, ignoreCase: true) : null,
                x.Resource))
            .OrderBy(x => x.Item1)
            .ToList();

    [GeneratedRegex(@"^Monitor\.Migrations\.(?<version>\d{4})_(?<name>[a-z0-9_]+?)(\.(?<dialect>sqlite|postgres))?\.sql$")]
    private static partial Regex MigrationName();
}
