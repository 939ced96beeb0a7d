using System.Collections.Concurrent;

namespace Monitor.Demo;

/// <summary>
/// Faults queued per path (the fake's own path, e.g. <c>/openai/v1/organization/costs</c>): each queued fault
/// answers one matching request, in order, then the path behaves normally again. Also logs every request.
/// </summary>
public sealed class FakeFaults
{
    private readonly Lock _lock = new();
    private readonly List<(string Path, FakeFault Fault)> _queue = [];

    /// <summary>Every request served: when, path and query, status.</summary>
    public ConcurrentQueue<(DateTimeOffset At, string PathAndQuery, int Status)> Log { get; } = new();

    /// <summary>Queues <paramref name="fault"/> for the next <paramref name="times"/> requests whose path starts with <paramref name="path"/>.</summary>
    public void Add(string path, FakeFault fault, int times = 1)
    {
        lock (_lock)
        {
            for (var i = 0; i < times; i++)
                _queue.Add((path, fault));
        }
    }

    public int Pending
    {
        get
        {
            lock (_lock)
                return _queue.Count;
        }
    }

    internal bool TryTake(string path, out FakeFault fault)
    {
        lock (_lock)
        {
            var index = _queue.FindIndex(q => path.StartsWith(q.Path, StringComparison.Ordinal));
            if (index < 0)
            {
                fault = null!;
                return false;
            }

            fault = _queue[index].Fault;
            _queue.RemoveAt(index);
            return true;
        }
    }
}
