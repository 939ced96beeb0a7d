using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Monitor.Benchmarks;

/// <summary>
/// The alert channels' far end for <see cref="ChannelsBenchmark"/>: Kestrel on 127.0.0.1 with a fast webhook
/// (<see cref="Hook"/>, 200), a Slack-like incoming webhook (<see cref="Slack"/>, 200) and a webhook that hangs
/// (<see cref="Hang"/>, 200 only after the given delay, or never when the caller gives up first). It keeps the time
/// each POST arrived (its body read), per path.
/// </summary>
public sealed class ChannelReceiver : IAsyncDisposable
{
    public const string Hook = "/hook", Slack = "/slack", Hang = "/hang";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<long>> _arrivals = new(StringComparer.Ordinal);
    private int _signed;

    private ChannelReceiver(WebApplication app) => _app = app;

    /// <summary>Webhook POSTs that carried a Standard Webhooks signature.</summary>
    public int Signed => _signed;

    public Uri Url(string path) => new(_app.Urls.First() + path);

    /// <summary>When each POST to <paramref name="path"/> arrived, as <see cref="Stopwatch.GetTimestamp"/> values.</summary>
    public IReadOnlyList<long> Arrivals(string path) => _arrivals.TryGetValue(path, out var q) ? [.. q] : [];

    public static async Task<ChannelReceiver> StartAsync(TimeSpan hang, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new ChannelReceiver(app);
        app.Run(async http =>
        {
            var path = http.Request.Path.Value ?? "";
            await http.Request.Body.CopyToAsync(Stream.Null, http.RequestAborted);
            receiver._arrivals.GetOrAdd(path, _ => new ConcurrentQueue<long>()).Enqueue(Stopwatch.GetTimestamp());
            if (http.Request.Headers.ContainsKey("webhook-signature"))
                Interlocked.Increment(ref receiver._signed);
            if (path == Hang)
            {
                try
                {
                    await Task.Delay(hang, http.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return; // the sender gave up
                }
            }

            http.Response.StatusCode = path is Hook or Slack or Hang ? StatusCodes.Status200OK : StatusCodes.Status404NotFound;
        });
        await app.StartAsync(ct);
        return receiver;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
