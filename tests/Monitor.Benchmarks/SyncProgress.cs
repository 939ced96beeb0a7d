namespace Monitor.Benchmarks;

/// <summary>Reports on the caller's thread, at once (<see cref="Progress{T}"/> posts to the thread pool, out of order).</summary>
public sealed class SyncProgress(Action<string> report) : IProgress<string>
{
    public void Report(string value) => report(value);
}
