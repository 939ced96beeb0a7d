using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Monitor.Dashboard;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Tests.Dashboard;

/// <summary>A real dashboard host per test: Kestrel on a random loopback port, a fresh SQLite file, a fake clock.</summary>
internal sealed class DashboardTestApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DashboardTestApp(WebApplication app, string folder, Database database, FakeTimeProvider clock, HttpClient client)
    {
        _app = app;
        Folder = folder;
        Database = database;
        Clock = clock;
        Client = client;
    }

    public string Folder { get; }
    public Database Database { get; }
    public FakeTimeProvider Clock { get; }
    public HttpClient Client { get; }

    /// <summary>Creates a temp folder, migrates a database in it, lets <paramref name="seed"/> write, then starts the host.</summary>
    /// <param name="pagesDirectory">The dashboards folder; null for one that does not exist (the embedded pages).</param>
    /// <param name="database">An existing, migrated ledger (the demo's); null for a fresh one in the temp folder.</param>
    /// <param name="urls">Where Kestrel binds; beyond loopback needs <paramref name="auth"/>.</param>
    /// <param name="services">Extra registrations: the budget, deprecation and key rotation sources of a test.</param>
    public static async Task<DashboardTestApp> StartAsync(
        DateTimeOffset now, Func<Database, Task>? seed = null, Func<string, string>? pagesDirectory = null,
        Database? database = null, string urls = "http://127.0.0.1:0", DashboardAuthOptions? auth = null,
        Action<IServiceCollection>? services = null)
    {
        var folder = Directory.CreateTempSubdirectory("monitor-dash-").FullName;
        WebApplication? app = null;
        try
        {
            var clock = new FakeTimeProvider(now);
            database ??= new Database(Path.Combine(folder, "ledger.db"), TimeSpan.FromSeconds(5));
            await new MigrationRunner(database, clock).MigrateAsync(CancellationToken.None);
            if (seed is not null)
                await seed(database);

            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls(urls);
            builder.Services.AddSingleton(database);
            builder.Services.AddSingleton<TimeProvider>(clock);
            builder.Services.AddSingleton(Options.Create(new MonitorOptions
            {
                Dashboard = new DashboardOptions
                {
                    Urls = urls,
                    Directory = pagesDirectory?.Invoke(folder) ?? Path.Combine(folder, "no-dashboards-here"),
                    Auth = auth ?? new DashboardAuthOptions(),
                },
            }));
            builder.Services.AddMonitorDashboard();
            services?.Invoke(builder.Services);
            app = builder.Build();
            app.MapDashboard();
            await app.StartAsync();

            // Bound to every interface, it is reached here through loopback all the same.
            var client = new HttpClient { BaseAddress = new Uri(app.Urls.First().Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)) };
            return new DashboardTestApp(app, folder, database, clock, client);
        }
        catch
        {
            if (app is not null)
                await app.DisposeAsync();
            Delete(folder);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Delete(Folder);
    }

    private static void Delete(string folder)
    {
        // Pooled connections keep the file open; release them before removing the database.
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
    }
}
