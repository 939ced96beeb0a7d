using System.Net;
using Microsoft.AspNetCore.Http;

namespace Monitor.Tests.Support;

/// <summary>
/// How <see cref="HookReceiver"/> answers one request: a status, an optional <c>Retry-After</c> in whole seconds, an
/// optional delay before the answer (to run a sender into its timeout) and an optional body.
/// </summary>
public sealed record HookAnswer(int Status, TimeSpan? RetryAfter = null, TimeSpan Delay = default, string? Body = null)
{
    public static HookAnswer Ok { get; } = new(StatusCodes.Status200OK);

    public static HookAnswer NoContent { get; } = new(StatusCodes.Status204NoContent);

    public static HookAnswer Unavailable { get; } = new(StatusCodes.Status503ServiceUnavailable);

    public static HookAnswer With(HttpStatusCode status) => new((int)status);

    /// <summary>429 with <c>Retry-After: {seconds}</c> (rounded up to whole seconds, as the header holds).</summary>
    public static HookAnswer TooManyRequests(TimeSpan retryAfter) => new(StatusCodes.Status429TooManyRequests, retryAfter);

    /// <summary>Waits <paramref name="delay"/> (or until the client gives up), then answers 200.</summary>
    public static HookAnswer Delayed(TimeSpan delay) => new(StatusCodes.Status200OK, Delay: delay);
}
