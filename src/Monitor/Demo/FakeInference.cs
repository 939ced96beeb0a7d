using System.Collections.Concurrent;
using Monitor.Core.Keys;
using Monitor.Core.Usage;

namespace Monitor.Demo;

/// <summary>
/// The state of the fake inference endpoints (<see cref="FakeInferenceEndpoints"/>): the keys they accept besides the
/// server's own, the clock their <c>created</c> times and minutes come from, and what they billed, per key fingerprint,
/// model as answered and UTC minute: the ground truth a metering proxy in front of them must reproduce.
/// </summary>
public sealed class FakeInference
{
    private readonly ConcurrentDictionary<string, bool> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string KeyFingerprint, string Model, DateTimeOffset Minute), Billed> _billed = new();

    /// <summary>Where <c>created</c> and the billed minute come from (tests share a fake clock with the proxy).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>The last inference request received: its headers and body as they arrived (tests of pass-through).</summary>
    public FakeInferenceRequest? LastRequest { get; private set; }

    /// <summary>Requests the inference endpoints answered (rejected ones included).</summary>
    public int Requests => Volatile.Read(ref _requests);

    private int _requests;

    /// <summary>Accepts <paramref name="key"/> on every inference endpoint (a developer's own key).</summary>
    public void Accept(string key) => _keys[key] = true;

    public bool Accepts(string key) => key.Length > 0 && _keys.ContainsKey(key);

    /// <summary>What was billed so far.</summary>
    public IReadOnlyDictionary<(string KeyFingerprint, string Model, DateTimeOffset Minute), Billed> Billed => _billed;

    internal void Received(FakeInferenceRequest request)
    {
        Interlocked.Increment(ref _requests);
        LastRequest = request;
    }

    internal void Bill(string key, string model, DateTimeOffset at, TokenCounts tokens, long pages)
    {
        var minute = new DateTimeOffset(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        _billed.AddOrUpdate((KeyFingerprint.Of(key), model, minute),
            _ => new Billed(tokens, 1, pages),
            (_, b) => new Billed(b.Tokens + tokens, b.Requests + 1, b.Pages + pages));
    }
}
