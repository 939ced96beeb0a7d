using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Monitor.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL server from Debian's packages (tests/run.sh installs <c>postgresql</c>): <c>initdb</c> and
/// <c>pg_ctl</c> in a temporary folder, on 127.0.0.1 and a free port, trust authentication, started once per test run
/// and stopped when the process exits. initdb refuses to run as root, so as root it runs as the <c>postgres</c> user the
/// package creates. Each test takes a database of its own (<see cref="CreateDatabaseAsync"/>).
/// </summary>
public sealed class PostgresServer
{
    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync);
    private static int _databases;

    private PostgresServer(string folder, int port, string bin)
    {
        Folder = folder;
        Port = port;
        Bin = bin;
    }

    public string Folder { get; }
    public int Port { get; }
    private string Bin { get; }

    /// <summary>The server of this test run, started on first use.</summary>
    public static Task<PostgresServer> GetAsync() => Shared.Value;

    /// <summary>A connection string for the maintenance database <c>postgres</c>.</summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Include Error Detail=true";

    /// <summary>Creates an empty database for one test and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "monitor_test_" + Interlocked.Increment(ref _databases).ToString(CultureInfo.InvariantCulture) + "_" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        await RunAsync(Path.Combine(Bin, "psql"), "-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-d", "postgres",
            "-v", "ON_ERROR_STOP=1", "-q", "-c", $"CREATE DATABASE {name}");
        return ConnectionString(name);
    }

    private static async Task<PostgresServer> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "pg_ctl"))).Order(StringComparer.Ordinal).LastOrDefault()
            : null;
        if (bin is null)
            throw new InvalidOperationException("PostgreSQL is not installed: tests/run.sh installs Debian's postgresql package (apt-get install postgresql)");

        var folder = Directory.CreateTempSubdirectory("monitor-pg-").FullName;
        var data = Path.Combine(folder, "data");
        var port = FreePort();
        if (IsRoot)
            await RunAsync("chown", "postgres:postgres", folder);
        await RunAsync(Path.Combine(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync");
        var options = $"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
        await RunAsync(Path.Combine(bin, "pg_ctl"), "-D", data, "-o", options, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60", "start");
        var server = new PostgresServer(folder, port, bin);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop(data);
        return server;
    }

    private void Stop(string data)
    {
        try
        {
            RunAsync(Path.Combine(Bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop").GetAwaiter().GetResult();
            Directory.Delete(Folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            // The OS cleans temporary folders; a server left running dies with the machine's session.
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>Runs a PostgreSQL tool, as the postgres user when this process is root (the tools refuse root).</summary>
    private static async Task RunAsync(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(IsRoot && tool != "chown" ? "runuser" : tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (IsRoot && tool != "chown")
        {
            foreach (var a in new[] { "-u", "postgres", "--", tool })
                start.ArgumentList.Add(a);
        }

        foreach (var a in args)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {tool}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(tool)} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}{await stdout}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
