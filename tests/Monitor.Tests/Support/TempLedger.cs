using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Monitor.Core.Pricing;
using Monitor.Pricing;
using Monitor.Storage;

namespace Monitor.Tests.Support;

/// <summary>A real SQLite ledger file in a temporary folder, migrated, deleted afterwards.</summary>
public sealed class TempLedger : IDisposable
{
    public TempLedger(DateTimeOffset? clockStart = null)
    {
        Clock = new FakeTimeProvider(clockStart ?? new DateTimeOffset(2026, 11, 22, 15, 30, 0, TimeSpan.Zero));
        Folder = Directory.CreateTempSubdirectory("monitor-test-").FullName;
        Path = System.IO.Path.Combine(Folder, "ledger.db");
        Database = new Database(Path, TimeSpan.FromSeconds(10));
        new MigrationRunner(Database, Clock).MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    public string Folder { get; }
    public string Path { get; }
    public Database Database { get; }
    public FakeTimeProvider Clock { get; }
    public static PriceCatalog Catalog { get; } = PriceCatalogLoader.Load((string?)null);

    public string File(string name, string content)
    {
        var path = System.IO.Path.Combine(Folder, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    public async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var c = await Database.OpenAsync(CancellationToken.None);
        return (await c.ExecuteScalarAsync<T>(sql, args))!;
    }

    public async Task<List<T>> QueryAsync<T>(string sql, object? args = null)
    {
        await using var c = await Database.OpenAsync(CancellationToken.None);
        return [.. await c.QueryAsync<T>(sql, args)];
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A reader still closing; the OS cleans temp folders.
        }
    }
}
