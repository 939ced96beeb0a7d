using System.Diagnostics;

namespace Monitor.Tests.Support;

/// <summary>Runs the real <c>monitor</c> executable (built beside the tests) in a folder, with extra environment variables.</summary>
public static class MonitorProcess
{
    public sealed record Result(int ExitCode, string Out, string Err);

    /// <summary>Starts the executable and leaves it running (a server); the caller stops or kills it.</summary>
    public static Process Start(string workingDirectory, IDictionary<string, string>? environment, params string[] args) =>
        Start(workingDirectory, environment, null, args);

    /// <summary>Starts the executable, handing each line it writes (standard output and error) to <paramref name="onLine"/>.</summary>
    public static Process Start(string workingDirectory, IDictionary<string, string>? environment, Action<string>? onLine, params string[] args)
    {
        var process = Process.Start(StartInfo(workingDirectory, environment, args))!;
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line) onLine?.Invoke(line); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) onLine?.Invoke(line); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static async Task<Result> RunAsync(string workingDirectory, IDictionary<string, string>? environment, params string[] args)
    {
        var start = StartInfo(workingDirectory, environment, args);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    private static ProcessStartInfo StartInfo(string workingDirectory, IDictionary<string, string>? environment, string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "monitor.dll"));
        foreach (var a in args)
            start.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
            start.Environment[k] = v;
        return start;
    }
}
