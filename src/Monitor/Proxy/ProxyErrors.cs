using System.Text.Json;

namespace Monitor.Proxy;

/// <summary>
/// The answers the proxy gives itself, never the provider: in the format the caller's SDK parses, OpenAI's
/// <c>{"error":{"message","type","param","code"}}</c> or, for Anthropic's <c>/v1/messages</c>, Anthropic's
/// <c>{"type":"error","error":{"type","message"}}</c>.
/// </summary>
public static class ProxyErrors
{
    /// <summary>True when the caller speaks Anthropic's Messages API (its errors are parsed in Anthropic's envelope).</summary>
    public static bool IsAnthropic(PathString rest) =>
        rest.Value is { } path && (path.EndsWith("/messages", StringComparison.Ordinal) || path.EndsWith("/messages/count_tokens", StringComparison.Ordinal));

    public static Task WriteAsync(HttpContext context, int status, bool anthropic, string type, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var body = anthropic
            ? JsonSerializer.SerializeToUtf8Bytes(new AnthropicError("error", new AnthropicDetail(type, message)), ProxyJson.Default.AnthropicError)
            : JsonSerializer.SerializeToUtf8Bytes(new OpenAIError(new OpenAIDetail(message, type, null, code)), ProxyJson.Default.OpenAIError);
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    /// <summary>An enforced budget's refusal: HTTP 429 naming the budget.</summary>
    public static Task RefuseAsync(HttpContext context, bool anthropic, SpendRefusal refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return WriteAsync(context, StatusCodes.Status429TooManyRequests, anthropic, "budget_exceeded", "budget_exceeded",
            string.IsNullOrWhiteSpace(refusal.Message) ? $"Budget '{refusal.Budget}' is exhausted for this period." : refusal.Message);
    }
}

internal sealed record OpenAIError(OpenAIDetail Error);

internal sealed record OpenAIDetail(string Message, string Type, string? Param, string Code);

internal sealed record AnthropicError(string Type, AnthropicDetail Error);

internal sealed record AnthropicDetail(string Type, string Message);
