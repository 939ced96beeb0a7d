using System.Data.Common;
using System.Reflection;
using System.Text.RegularExpressions;
using Dapper;

namespace Monitor.Storage;

/// <summary>
/// Applies the numbered migration files (<c>NNNN_name.sqlite.sql</c>, embedded) that the database has not seen,
/// each in its own transaction, and records them in <c>schema_version</c>.
/// </summary>
public sealed partial class MigrationRunner(Database database, TimeProvider clock)
{
    private const string Dialect = "sqlite";

    public static IReadOnlyList<(int Version, string Name, string Resource)> Available { get; } = Discover();

    /// <summary>Applies what is missing; returns the versions applied now.</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        // WAL lets the dashboard read while a pull writes; it is a property of the file, set once.
        await connection.ExecuteAsync("PRAGMA journal_mode=WAL;");
        await connection.ExecuteAsync(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
        var applied = (await connection.QueryAsync<int>("SELECT version FROM schema_version")).ToHashSet();

        var done = new List<int>();
        foreach (var (version, name, resource) in Available)
        {
            if (applied.Contains(version))
                continue;
            await ApplyAsync(connection, version, name, resource, ct);
            done.Add(version);
        }

        return done;
    }

    public async Task<int> CurrentVersionAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var exists = await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
        return exists == 0 ? 0 : await connection.ExecuteScalarAsync<int>("SELECT COALESCE(MAX(version), 0) FROM schema_version");
    }

    private async Task ApplyAsync(DbConnection connection, int version, string name, string resource, CancellationToken ct)
    {
        string sql;
        await using (var stream = typeof(MigrationRunner).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Migration resource {resource} is missing from the build"))
        using (var reader = new StreamReader(stream))
        {
            sql = await reader.ReadToEndAsync(ct);
        }

        await using var tx = await connection.BeginTransactionAsync(ct);
        try
        {
            await connection.ExecuteAsync(sql, transaction: tx);
            await connection.ExecuteAsync(
                "INSERT INTO schema_version (version, name, applied_at) VALUES (@version, @name, @at)",
                new { version, name, at = clock.GetUtcNow().ToUnixTimeSeconds() }, tx);
            await tx.CommitAsync(ct);
        }
        catch (DbException e)
        {
            throw new InvalidOperationException($"Migration {version:D4}_{name} failed: {e.Message}", e);
        }
    }

    private static List<(int, string, string)> Discover() =>
        Assembly.GetExecutingAssembly().GetManifestResourceNames()
            .Select(r => (Resource: r, Match: MigrationName().Match(r)))
            .Where(x => x.Match.Success && x.Match.Groups["dialect"].Value == Dialect)
            .Select(x => (int.Parse(x.Match.Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture), x.Match.Groups["name"].Value, x.Resource))
            .OrderBy(x => x.Item1)
            .ToList();

    [GeneratedRegex(@"^Monitor\.Migrations\.(?<version>\d{4})_(?<name>[a-z0-9_]+)\.(?<dialect>[a-z]+)\.sql$")]
    private static partial Regex MigrationName();
}
