using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Monitor.Tests.Support;

/// <summary>
/// A real Prometheus Alertmanager (Debian's prometheus-alertmanager 0.25, installed by tests/run.sh) on 127.0.0.1 and a
/// free port, with its storage and a minimal configuration in a temporary folder and clustering off. By default its
/// one route ends in a receiver that notifies nobody; with <see cref="NotifyUrl"/> every alert is its own group, sent at
/// once to that webhook, resolutions too (<c>send_resolved</c>), in Alertmanager's webhook format (version 4).
/// <para>
/// What the v2 API shows of a resolution (found with the real binary): <c>GET /api/v2/alerts</c> and
/// <c>/api/v2/alerts/groups</c> never list an alert whose <c>endsAt</c> is past, whatever the filters
/// (<c>active</c>, <c>silenced</c>, <c>inhibited</c>, <c>unprocessed</c> only choose among unresolved ones), and there is
/// no status "resolved". A resolution is seen as (1) the alert gone from <see cref="AlertsAsync"/>,
/// (2) <see cref="ReceivedAsync"/>("resolved"), Alertmanager's counter of alerts posted already resolved, and
/// (3) with <see cref="NotifyUrl"/>, a webhook notification with <c>"status": "resolved"</c>.
/// </para>
/// </summary>
public sealed class AlertmanagerServer : IAsyncLifetime, IAsyncDisposable
{
    public const string Binary = "/usr/bin/prometheus-alertmanager";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Lock _logGate = new();
    private readonly StringBuilder _log = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private Process? _process;

    /// <summary>Where Alertmanager sends its notifications; null: nowhere (the default null receiver).</summary>
    public Uri? NotifyUrl { get; init; }

    /// <summary>The global <c>resolve_timeout</c>: an alert posted without <c>endsAt</c> ends this long after it was last posted.</summary>
    public TimeSpan ResolveTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public string Folder { get; private set; } = "";

    public int Port { get; private set; }

    /// <summary><c>http://127.0.0.1:{port}/</c>; the API is below it (<c>api/v2/alerts</c>).</summary>
    public Uri BaseUrl => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>What Alertmanager logged so far (its stderr), for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_logGate)
                return _log.ToString();
        }
    }

    public static async Task<AlertmanagerServer> StartAsync(Uri? notifyUrl = null)
    {
        var server = new AlertmanagerServer { NotifyUrl = notifyUrl };
        await server.InitializeAsync();
        return server;
    }

    public async Task InitializeAsync()
    {
        if (!File.Exists(Binary))
            throw new InvalidOperationException($"{Binary} is missing: tests/run.sh installs Debian's prometheus-alertmanager package");
        Folder = Directory.CreateTempSubdirectory("monitor-alertmanager-").FullName;
        Port = FreePort();
        var config = Path.Combine(Folder, "alertmanager.yml");
        await File.WriteAllTextAsync(config, Configuration());

        var info = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
                 {
                     "--config.file=" + config, "--storage.path=" + Path.Combine(Folder, "data"),
                     "--web.listen-address=127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture), "--web.external-url=" + BaseUrl,
                     "--cluster.listen-address=", // no HA gossip: one node, no port 9094
                 })
            info.ArgumentList.Add(arg);
        _process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + Binary);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        await WaitUntilReadyAsync();
    }

    /// <summary>
    /// <c>GET /api/v2/alerts</c>: the unresolved alerts. The flags are the API's query parameters (all default true);
    /// each <paramref name="filter"/> is a matcher such as <c>alertname="BudgetCrossed"</c> or <c>team=~"a|b"</c>.
    /// </summary>
    public async Task<IReadOnlyList<AmAlert>> AlertsAsync(
        bool active = true, bool silenced = true, bool inhibited = true, bool unprocessed = true, IEnumerable<string>? filter = null)
    {
        var query = new StringBuilder($"api/v2/alerts?active={Flag(active)}&silenced={Flag(silenced)}&inhibited={Flag(inhibited)}&unprocessed={Flag(unprocessed)}");
        foreach (var matcher in filter ?? [])
            query.Append("&filter=").Append(Uri.EscapeDataString(matcher));
        using var response = await _http.GetAsync(new Uri(BaseUrl, query.ToString()));
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Alertmanager GET {query} answered {(int)response.StatusCode}: {body}");
        var alerts = JsonSerializer.Deserialize<List<WireAlert>>(body, Json) ?? [];
        return [.. alerts.Select(a => new AmAlert(a.Fingerprint, a.Labels, a.Annotations ?? new Dictionary<string, string>(),
            a.StartsAt, a.EndsAt, a.UpdatedAt, a.Status.State, string.IsNullOrEmpty(a.GeneratorUrl) ? null : a.GeneratorUrl))];
    }

    /// <summary>
    /// How many alerts Alertmanager received through the v2 API with this status (<c>firing</c> or <c>resolved</c>:
    /// <c>endsAt</c> past on arrival), from its <c>alertmanager_alerts_received_total</c> counter.
    /// </summary>
    public async Task<long> ReceivedAsync(string status)
    {
        var metrics = await _http.GetStringAsync(new Uri(BaseUrl, "metrics"));
        var series = $"alertmanager_alerts_received_total{{status=\"{status}\",version=\"v2\"}} ";
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(series, StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[series.Length..], NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>Kills Alertmanager and deletes its folder.</summary>
    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_process is not null)
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
            _process = null;
        }

        try
        {
            if (Folder.Length > 0)
                Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans temp folders.
        }
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    // group_by '...': each alert is its own group; group_wait 0s and group_interval 1s: notified at once, resolutions
    // within a second. Without NotifyUrl the one receiver has no integration: Alertmanager accepts and notifies nobody.
    private string Configuration()
    {
        var resolve = ((long)ResolveTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        var receiver = NotifyUrl is null
            ? "  - name: 'null'\n"
            : $"  - name: 'null'\n    webhook_configs:\n      - url: '{NotifyUrl}'\n        send_resolved: true\n";
        return $"""
            global:
              resolve_timeout: {resolve}s
            route:
              receiver: 'null'
              group_by: ['...']
              group_wait: 0s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
            {receiver}
            """;
    }

    private async Task WaitUntilReadyAsync()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (_process!.HasExited)
            {
                await _process.WaitForExitAsync();
                throw new InvalidOperationException($"Alertmanager exited {_process.ExitCode} on start: {Log}");
            }

            try
            {
                using var response = await _http.GetAsync(new Uri(BaseUrl, "-/ready"), cancel.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancel.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        throw new InvalidOperationException($"Alertmanager was not ready within 30 s: {Log}");
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_logGate)
            _log.AppendLine(line);
    }

    private static string Flag(bool value) => value ? "true" : "false";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed record WireStatus(string State);

    private sealed record WireAlert(
        string Fingerprint,
        Dictionary<string, string> Labels,
        Dictionary<string, string>? Annotations,
        DateTimeOffset StartsAt,
        DateTimeOffset EndsAt,
        DateTimeOffset UpdatedAt,
        WireStatus Status,
        [property: JsonPropertyName("generatorURL")] string? GeneratorUrl);
}
