using Microsoft.AspNetCore.Http;

namespace Monitor.Demo;

/// <summary>
/// Recorded provider payloads a contract test has the fake serve instead of the scenario: every request to exactly
/// <c>path</c> whose query holds all the given parameters gets the fixture body, for as long as the test runs (unlike a
/// <see cref="FakeFault"/>, which answers once). The first matching fixture wins; a request no fixture matches goes on
/// to the scenario's own route.
/// </summary>
public sealed class FakeFixtures
{
    private readonly Lock _lock = new();
    private readonly List<Entry> _entries = [];

    /// <param name="path">The fake's own path, e.g. <c>/mistral/v1/admin/usage</c>.</param>
    /// <param name="body">The response body, exactly as the provider sends it.</param>
    /// <param name="query">Parameters the request must carry (<c>month=11</c>, <c>workspace_id=...</c>); none matches every request.</param>
    public void Serve(string path, string body, IReadOnlyDictionary<string, string>? query = null, int status = 200)
    {
        lock (_lock)
            _entries.Add(new Entry(path, query ?? new Dictionary<string, string>(), body, status));
    }

    internal bool TryMatch(HttpRequest request, out (string Body, int Status) answer)
    {
        lock (_lock)
        {
            foreach (var e in _entries)
            {
                if (!string.Equals(request.Path.Value, e.Path, StringComparison.Ordinal))
                    continue;
                if (e.Query.All(q => request.Query.TryGetValue(q.Key, out var v) && v.Contains(q.Value)))
                {
                    answer = (e.Body, e.Status);
                    return true;
                }
            }
        }

        answer = default;
        return false;
    }

    private sealed record Entry(string Path, IReadOnlyDictionary<string, string> Query, string Body, int Status);
}
