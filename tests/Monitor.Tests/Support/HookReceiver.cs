using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Monitor.Tests.Support;

/// <summary>
/// A real HTTP server (Kestrel on 127.0.0.1, a free port) standing in for a webhook, Slack or Teams endpoint. It
/// records every request (<see cref="Requests"/>, <see cref="WaitForAsync"/>) and answers per path as told
/// (<see cref="Answer"/>: a status, 429 with Retry-After, 503, a delay); by default 200. <see cref="StopAsync"/> takes
/// it down (connections refused) and <see cref="StartAgainAsync"/> brings it back on the same port. Recorded requests
/// survive a restart.
/// </summary>
public sealed class HookReceiver : IAsyncLifetime, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<HookRequest> _requests = [];
    private readonly Dictionary<string, Queue<HookAnswer>> _answers = new(StringComparer.Ordinal);
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _app;

    public int Port { get; private set; }

    /// <summary><c>http://127.0.0.1:{port}</c>, without a trailing slash.</summary>
    public Uri BaseUrl => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}");

    public bool IsUp => _app is not null;

    /// <summary>An absolute URL of this server, e.g. <c>Url("/hooks/slack")</c>.</summary>
    public Uri Url(string path) => new(BaseUrl, path);

    public static async Task<HookReceiver> StartAsync()
    {
        var receiver = new HookReceiver();
        await receiver.InitializeAsync();
        return receiver;
    }

    public Task InitializeAsync()
    {
        Port = FreePort();
        return StartAgainAsync();
    }

    /// <summary>Every request so far, in arrival order.</summary>
    public IReadOnlyList<HookRequest> Requests
    {
        get
        {
            lock (_gate)
                return [.. _requests];
        }
    }

    public IReadOnlyList<HookRequest> RequestsTo(string path) => [.. Requests.Where(r => r.Path == path)];

    /// <summary>
    /// How to answer the next requests to <paramref name="path"/> (exact, ordinal): the answers in order, the last one
    /// for every request after, e.g. <c>Answer("/hook", HookAnswer.TooManyRequests(2 s), HookAnswer.Ok)</c>.
    /// </summary>
    public void Answer(string path, params HookAnswer[] answers)
    {
        ArgumentOutOfRangeException.ThrowIfZero(answers.Length);
        lock (_gate)
            _answers[path] = new Queue<HookAnswer>(answers);
    }

    /// <summary>Waits until the requests so far satisfy <paramref name="predicate"/>; returns them, or throws naming what came.</summary>
    public async Task<IReadOnlyList<HookRequest>> WaitForAsync(Func<IReadOnlyList<HookRequest>, bool> predicate, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (true)
        {
            Task arrived;
            lock (_gate)
            {
                if (predicate(_requests))
                    return [.. _requests];
                arrived = _arrived.Task;
            }

            try
            {
                await arrived.WaitAsync(cancel.Token);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                var seen = string.Join("; ", Requests.Select(r => $"{r.Method} {r.Path} -> {r.AnsweredStatus}"));
                throw new TimeoutException($"the hook receiver waited {timeout.TotalSeconds} s; it received {(seen.Length == 0 ? "nothing" : seen)}");
            }
        }
    }

    /// <summary>Takes the server down: the port refuses connections until <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_app is null)
            return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    /// <summary>Starts the server (again, after <see cref="StopAsync"/>) on the same port.</summary>
    public async Task StartAgainAsync()
    {
        if (_app is not null)
            return;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        // Answers to nobody's configuration: no appsettings.json, ASPNETCORE_* or Kestrel section.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        // A delayed answer must not hold a stop for the default 30 s.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
        builder.WebHost.UseUrls(BaseUrl.ToString());
        var app = builder.Build();
        app.Run(ReceiveAsync);
        await app.StartAsync();
        _app = app;
    }

    public Task DisposeAsync() => StopAsync();

    async ValueTask IAsyncDisposable.DisposeAsync() => await StopAsync();

    private async Task ReceiveAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var path = context.Request.Path.Value ?? "/";
        HookAnswer answer;
        lock (_gate)
        {
            answer = HookAnswer.Ok;
            if (_answers.TryGetValue(path, out var queue))
                answer = queue.Count > 1 ? queue.Dequeue() : queue.Peek();
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            _requests.Add(new HookRequest(context.Request.Method, path, context.Request.QueryString.Value ?? "", headers, body.ToArray(),
                TimeProvider.System.GetUtcNow(), answer.Status));
            _arrived.TrySetResult();
            _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        if (answer.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(answer.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the client gave up (its timeout) or the server is stopping
            }
        }

        context.Response.StatusCode = answer.Status;
        if (answer.RetryAfter is { } retryAfter)
            context.Response.Headers.RetryAfter = ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        if (answer.Body is not null)
            await context.Response.WriteAsync(answer.Body);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
