using System.Diagnostics;

namespace Monitor.Benchmarks;

/// <summary>
/// Samples the working set and the managed heap every 50 ms on a background timer and keeps the peaks.
/// On Linux it also resets the kernel's peak-RSS mark at start (clear_refs 5), so <see cref="PeakWorkingSet"/>
/// includes the exact kernel peak of the phase, not just what a sample happened to see.
/// </summary>
public sealed class MemorySampler : IDisposable
{
    private readonly Timer _timer;
    private readonly Lock _gate = new();
    private long _peakWorkingSet;
    private long _peakManaged;

    public MemorySampler()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        Sample(null);
        _timer = new Timer(Sample, null, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50));
    }

    public long PeakWorkingSet { get; private set; }
    public long PeakManaged { get; private set; }

    /// <summary>Stops sampling and fixes the peaks.</summary>
    public void Stop()
    {
        _timer.Dispose();
        Sample(null);
        using var process = Process.GetCurrentProcess();
        lock (_gate)
        {
            PeakWorkingSet = Math.Max(_peakWorkingSet, process.PeakWorkingSet64);
            PeakManaged = _peakManaged;
        }
    }

    public void Dispose() => _timer.Dispose();

    private void Sample(object? state)
    {
        var workingSet = Environment.WorkingSet;
        var managed = GC.GetTotalMemory(forceFullCollection: false);
        lock (_gate)
        {
            _peakWorkingSet = Math.Max(_peakWorkingSet, workingSet);
            _peakManaged = Math.Max(_peakManaged, managed);
        }
    }
}
