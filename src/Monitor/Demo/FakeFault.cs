namespace Monitor.Demo;

/// <summary>A response a fake provider gives instead of the real one, once: for contract tests of failure handling.</summary>
public sealed record FakeFault(int Status, string Body, int? RetryAfterSeconds = null, string ContentType = "application/json")
{
    public static FakeFault TooManyRequests(int retryAfterSeconds) =>
        new(429, """{"error":{"message":"Rate limit reached","type":"rate_limit_error","code":"rate_limit_exceeded"}}""", retryAfterSeconds);

    public static FakeFault ServerError() => new(500, """{"error":{"message":"The server had an error","type":"server_error"}}""");

    public static FakeFault Unauthorized() => new(401, """{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}""");

    /// <summary>A 200 whose body is cut off mid-JSON.</summary>
    public static FakeFault MalformedJson() => new(200, """{"object":"page","data":[{"object":"bucket","start_time":17""");
}
