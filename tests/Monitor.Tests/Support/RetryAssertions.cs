using Monitor.Demo;

namespace Monitor.Tests.Support;

/// <summary>What a fake provider's request log shows of a 429 with <c>Retry-After</c>.</summary>
public static class RetryAssertions
{
    /// <summary>The first 429 was asked again, successfully, no sooner than <paramref name="retryAfterSeconds"/> later.</summary>
    public static void AssertRetriedAfter(FakeProviderServer server, int retryAfterSeconds = 1)
    {
        ArgumentNullException.ThrowIfNull(server);
        var log = server.Faults.Log.ToList();
        var limited = log.FindIndex(l => l.Status == 429);
        Assert.True(limited >= 0, "the 429 was never served");
        var retry = log.FindIndex(limited + 1, l => l.PathAndQuery == log[limited].PathAndQuery);
        Assert.True(retry > limited, "the request that got the 429 was never asked again");
        Assert.Equal(200, log[retry].Status);
        var waited = log[retry].At - log[limited].At;
        Assert.True(waited >= TimeSpan.FromSeconds(retryAfterSeconds - 0.1), $"retried after {waited.TotalMilliseconds} ms");
    }
}
