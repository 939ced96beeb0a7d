namespace Monitor.Providers;

/// <summary>
/// Format drift one pull of one account saw: a response field of an unexpected type, or a usage category the connector
/// does not know. Connectors report it here and go on with what they could read (never a silent zero: money that
/// could not be read is estimated or kept apart, and the drift says so); the pull service stores it once per account,
/// UTC day and field path, logs it the first time that day, and shows it on the pull run and the dashboard.
/// </summary>
public sealed class DriftLog
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Endpoint, string Path), DriftItem> _items = [];

    /// <summary>Notes one drift; the same endpoint and path noted again in this pull keeps the first problem.</summary>
    /// <param name="endpoint">The endpoint, as in errors: <c>GET /v1/organization/costs</c>.</param>
    /// <param name="path">The field's path in the response, with <c>[]</c> for array items: <c>data[].results[].amount.value</c>.</param>
    /// <param name="problem">What was unexpected and what the connector did instead.</param>
    public void Report(string endpoint, string path, string problem)
    {
        lock (_gate)
            _items.TryAdd((endpoint, path), new DriftItem(endpoint, path, problem));
    }

    /// <summary>Takes what was noted since the last call (the pull service drains it after each step).</summary>
    public IReadOnlyList<DriftItem> Drain()
    {
        lock (_gate)
        {
            var items = _items.Values.ToList();
            _items.Clear();
            return items;
        }
    }
}
