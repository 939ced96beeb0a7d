namespace Monitor.Cli;

public static class MonitorCli
{
    public static Task<int> RunAsync(string[] args) => Task.FromResult(args.Length == 0 ? 0 : 2);
}
