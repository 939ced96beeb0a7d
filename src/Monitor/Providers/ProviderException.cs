using System.Net;

namespace Monitor.Providers;

/// <summary>
/// A provider call that failed: names the account, provider kind, endpoint and HTTP status (or the malformed field),
/// never the key. 401 and 403 stop the account's run; the other accounts go on.
/// </summary>
public sealed class ProviderException(string account, string kind, string endpoint, HttpStatusCode? status, string problem, Exception? inner = null)
    : Exception(Describe(account, kind, endpoint, status, problem), inner)
{
    public string Account { get; } = account;
    public string Endpoint { get; } = endpoint;
    public HttpStatusCode? Status { get; } = status;

    public bool IsAuthFailure => Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;

    private static string Describe(string account, string kind, string endpoint, HttpStatusCode? status, string problem) =>
        status is { } s
            ? $"{account} ({kind}) {endpoint}: HTTP {(int)s} {s}: {problem}"
            : $"{account} ({kind}) {endpoint}: {problem}";
}
