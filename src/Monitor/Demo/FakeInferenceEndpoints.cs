using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Monitor.Core.Usage;

namespace Monitor.Demo;

/// <summary>
/// Inference endpoints of the fake providers, answering in each provider's real format, streaming and not, with the
/// usage objects they document; what they bill is kept in <see cref="FakeInference"/>. Tokens follow fixed rules of the
/// request (a quarter of its text's bytes; half cached past 400 bytes; one token per reply word) so that tests can
/// compare a meter with what was billed.
/// <list type="bullet">
/// <item>Mistral and Codestral (<c>/v1/chat/completions</c>, <c>/v1/fim/completions</c>, <c>/v1/embeddings</c>,
/// <c>/v1/ocr</c>): <c>usage {prompt_tokens, completion_tokens, total_tokens, prompt_tokens_details.cached_tokens}</c>,
/// in the last chunk of every stream (provider-apis.md §1.3, Mistral changelog 2024-01-16); OCR reports
/// <c>usage_info {pages_processed, doc_size_bytes}</c>.</item>
/// <item>OpenAI and OpenAI-compatible (<c>/v1/chat/completions</c>, <c>/v1/embeddings</c>): <c>CompletionUsage</c>
/// (§2.5); a stream carries usage only when asked with <c>stream_options.include_usage</c>: then every chunk has
/// <c>"usage":null</c> and one more chunk with <c>"choices":[]</c> carries the usage (OpenAI API reference,
/// <c>stream_options</c>). The answered model is the dated snapshot (<c>gpt-4o-mini-2024-07-18</c>).</item>
/// <item>OpenRouter (<c>/v1/chat/completions</c>) and Kilo's gateway (<c>/api/gateway/chat/completions</c>): OpenAI's
/// format with <c>usage.cost</c>, always in the last chunk (§4.7; Kilo forces <c>include_usage</c> upstream).</item>
/// <item>Anthropic (<c>/v1/messages</c>): <c>usage {input_tokens, cache_creation_input_tokens, cache_read_input_tokens,
/// output_tokens}</c>; streams send <c>message_start</c> (input and cache tokens) and <c>message_delta</c> (output
/// tokens, cumulative), per Anthropic's streaming messages documentation.</item>
/// </list>
/// A key other than the server's or an accepted one gets the provider's 401; header <c>X-Fake-Chunk-Delay-Ms</c> spaces a
/// stream's chunks; 429s and other failures come from <see cref="FakeFaults"/>.
/// </summary>
internal static class FakeInferenceEndpoints
{
    public const string DelayHeader = "X-Fake-Chunk-Delay-Ms";

    private static readonly string[] ReplyWords =
        ["Here", "is", "a", "short", "answer", "from", "the", "fake", "provider,", "sent", "word", "by", "word."];

    private static readonly Dictionary<string, string> Snapshots = new(StringComparer.Ordinal)
    {
        ["gpt-4o-mini"] = "gpt-4o-mini-2024-07-18",
        ["gpt-4.1"] = "gpt-4.1-2025-04-14",
        ["gpt-4o"] = "gpt-4o-2024-08-06",
        ["claude-sonnet-4-5"] = "claude-sonnet-4-5-20250929",
        ["claude-haiku-4-5"] = "claude-haiku-4-5-20251001",
    };

    private enum Dialect
    {
        Mistral,
        OpenAI,
        OpenRouter,
        Anthropic,
    }

    private static readonly (string Path, Dialect Dialect, string Kind)[] Routes =
    [
        ("/mistral/v1/chat/completions", Dialect.Mistral, "chat"),
        ("/mistral/v1/fim/completions", Dialect.Mistral, "fim"),
        ("/mistral/v1/embeddings", Dialect.Mistral, "embeddings"),
        ("/mistral/v1/ocr", Dialect.Mistral, "ocr"),
        ("/codestral/v1/chat/completions", Dialect.Mistral, "chat"),
        ("/codestral/v1/fim/completions", Dialect.Mistral, "fim"),
        ("/openai/v1/chat/completions", Dialect.OpenAI, "chat"),
        ("/openai/v1/embeddings", Dialect.OpenAI, "embeddings"),
        ("/compatible/v1/chat/completions", Dialect.OpenAI, "chat"),
        ("/openrouter/v1/chat/completions", Dialect.OpenRouter, "chat"),
        ("/kilo/api/gateway/chat/completions", Dialect.OpenRouter, "chat"),
        ("/anthropic/v1/messages", Dialect.Anthropic, "messages"),
    ];

    /// <summary>True for the paths served here (they check keys themselves, against more than the server's own key).</summary>
    public static bool Handles(PathString path) => Routes.Any(r => path.Equals(r.Path, StringComparison.Ordinal));

    public static void Map(WebApplication app, FakeInference state, string apiKey, Func<string, Func<IResult>> unauthorized)
    {
        foreach (var (path, dialect, kind) in Routes)
        {
            var mount = path.Split('/')[1];
            var rejected = unauthorized(mount);
            app.MapPost(path, (HttpContext context) => AnswerAsync(context, state, apiKey, rejected, dialect, kind));
        }
    }

    private static async Task AnswerAsync(HttpContext context, FakeInference state, string apiKey, Func<IResult> rejected, Dialect dialect, string kind)
    {
        var request = context.Request;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted);
        var bytes = body.ToArray();
        state.Received(new FakeInferenceRequest(
            request.Path + request.QueryString,
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            bytes));

        var key = dialect == Dialect.Anthropic
            ? request.Headers["x-api-key"].ToString()
            : request.Headers.Authorization.ToString() is { } auth && auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth["Bearer ".Length..] : "";
        if (!(FakeProviderServer.SameSecret(key, apiKey) || state.Accepts(key)))
        {
            await rejected().ExecuteAsync(context);
            return;
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(bytes);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            await WriteJsonAsync(context, 400, w => Error(w, dialect, "invalid_request_error", "The body is not valid JSON."));
            return;
        }

        var requested = Text(root, "model");
        if (string.IsNullOrEmpty(requested))
        {
            await WriteJsonAsync(context, 400, w => Error(w, dialect, "invalid_request_error", "model: field required"));
            return;
        }

        var now = state.Clock.GetUtcNow();
        var call = new Call(dialect, kind, Snapshots.GetValueOrDefault(requested, requested), PromptText(root, kind), now,
            Id(requested, root), Words(root), root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True,
            root.TryGetProperty("stream_options", out var o) && o.ValueKind == JsonValueKind.Object
                && o.TryGetProperty("include_usage", out var u) && u.ValueKind == JsonValueKind.True,
            bytes.AsSpan().IndexOf("cache_control"u8) >= 0);
        var delay = int.TryParse(request.Headers[DelayHeader], NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? TimeSpan.FromMilliseconds(ms) : TimeSpan.Zero;
        state.Bill(key, call.Model, now, call.Tokens, call.Pages);

        if (call.Stream && kind is "chat" or "fim" or "messages")
            await StreamAsync(context, call, delay);
        else
            await WriteJsonAsync(context, 200, w => Response(w, call));
    }

    /// <summary>One call's answer, computed from the request by the fixed rules.</summary>
    private sealed record Call(Dialect Dialect, string Kind, string Model, string Prompt, DateTimeOffset At, string Id, int WordCount, bool Stream, bool IncludeUsage, bool CacheControl)
    {
        public long PromptTokens => Math.Max(1, (Encoding.UTF8.GetByteCount(Prompt) + 3) / 4);
        public long Cached => Encoding.UTF8.GetByteCount(Prompt) > 400 ? PromptTokens / 2 : 0;
        public long CacheWrite => Dialect == Dialect.Anthropic && CacheControl ? PromptTokens / 4 : 0;
        public bool Reasoning => Dialect == Dialect.OpenAI && (Model.StartsWith('o') || Model.StartsWith("gpt-5", StringComparison.Ordinal));
        public long ReasoningTokens => Reasoning ? WordCount : 0;
        public long Completion => Kind is "embeddings" or "ocr" ? 0 : WordCount + ReasoningTokens;
        public long Pages => Kind == "ocr" ? 1 + (Encoding.UTF8.GetByteCount(Prompt) / 1000) : 0;

        /// <summary>What is billed, by category: Anthropic's input excludes cache reads and writes; the others' includes them.</summary>
        public TokenCounts Tokens => Kind == "ocr"
            ? TokenCounts.Zero
            : new TokenCounts(PromptTokens - Cached - CacheWrite, Cached, CacheWrite, Completion, ReasoningTokens);

        public long Created => At.ToUnixTimeSeconds();
    }

    private static async Task StreamAsync(HttpContext context, Call call, TimeSpan delay)
    {
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var ct = context.RequestAborted;
        var events = call.Dialect == Dialect.Anthropic ? AnthropicEvents(call) : ChunkEvents(call);
        var first = true;
        foreach (var e in events)
        {
            if (!first && delay > TimeSpan.Zero)
                await Task.Delay(delay, ct);
            first = false;
            await response.Body.WriteAsync(e, ct);
            await response.Body.FlushAsync(ct);
        }
    }

    private static IEnumerable<byte[]> ChunkEvents(Call call)
    {
        var words = ReplyWords.Take(call.WordCount).ToArray();
        var usageNull = call.Dialect == Dialect.OpenAI && call.IncludeUsage;
        if (call.Dialect == Dialect.OpenRouter)
            yield return ": OPENROUTER PROCESSING\n\n"u8.ToArray();
        yield return Data(w => Chunk(w, call, role: true, content: "", finish: null, usageNull));
        for (var i = 0; i < words.Length; i++)
        {
            var content = (i == 0 ? "" : " ") + words[i];
            var last = i == words.Length - 1;
            // Mistral sends usage in its last content chunk, with the finish reason.
            yield return Data(w => Chunk(w, call, role: false, content, last && call.Dialect == Dialect.Mistral ? "stop" : null, usageNull,
                usage: last && call.Dialect == Dialect.Mistral));
        }

        if (call.Dialect != Dialect.Mistral)
            yield return Data(w => Chunk(w, call, role: false, content: null, finish: "stop", usageNull));
        if (call.Dialect == Dialect.OpenRouter || (call.Dialect == Dialect.OpenAI && call.IncludeUsage))
            yield return Data(w => UsageChunk(w, call));
        yield return "data: [DONE]\n\n"u8.ToArray();
    }

    private static IEnumerable<byte[]> AnthropicEvents(Call call)
    {
        var words = ReplyWords.Take(call.WordCount).ToArray();
        yield return Event("message_start", w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "message_start");
            w.WriteStartObject("message");
            w.WriteString("id", "msg_" + call.Id);
            w.WriteString("type", "message");
            w.WriteString("role", "assistant");
            w.WriteString("model", call.Model);
            w.WriteStartArray("content");
            w.WriteEndArray();
            w.WriteNull("stop_reason");
            w.WriteNull("stop_sequence");
            AnthropicUsage(w, call, outputTokens: 1);
            w.WriteEndObject();
            w.WriteEndObject();
        });
        yield return Event("content_block_start", w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "content_block_start");
            w.WriteNumber("index", 0);
            w.WriteStartObject("content_block");
            w.WriteString("type", "text");
            w.WriteString("text", "");
            w.WriteEndObject();
            w.WriteEndObject();
        });
        yield return "event: ping\ndata: {\"type\": \"ping\"}\n\n"u8.ToArray();
        for (var i = 0; i < words.Length; i++)
        {
            var text = (i == 0 ? "" : " ") + words[i];
            yield return Event("content_block_delta", w =>
            {
                w.WriteStartObject();
                w.WriteString("type", "content_block_delta");
                w.WriteNumber("index", 0);
                w.WriteStartObject("delta");
                w.WriteString("type", "text_delta");
                w.WriteString("text", text);
                w.WriteEndObject();
                w.WriteEndObject();
            });
        }

        yield return Event("content_block_stop", w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "content_block_stop");
            w.WriteNumber("index", 0);
            w.WriteEndObject();
        });
        yield return Event("message_delta", w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "message_delta");
            w.WriteStartObject("delta");
            w.WriteString("stop_reason", "end_turn");
            w.WriteNull("stop_sequence");
            w.WriteEndObject();
            w.WriteStartObject("usage");
            w.WriteNumber("output_tokens", call.Completion);
            w.WriteEndObject();
            w.WriteEndObject();
        });
        yield return "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"u8.ToArray();
    }

    private static void Chunk(Utf8JsonWriter w, Call call, bool role, string? content, string? finish, bool usageNull, bool usage = false)
    {
        ChunkHead(w, call);
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WriteStartObject("delta");
        if (role)
            w.WriteString("role", "assistant");
        if (content is not null)
            w.WriteString("content", content);
        w.WriteEndObject();
        if (call.Dialect != Dialect.Mistral)
            w.WriteNull("logprobs");
        if (finish is null)
            w.WriteNull("finish_reason");
        else
            w.WriteString("finish_reason", finish);
        w.WriteEndObject();
        w.WriteEndArray();
        if (usage)
            ChatUsage(w, call);
        else if (usageNull)
            w.WriteNull("usage");
        w.WriteEndObject();
    }

    private static void UsageChunk(Utf8JsonWriter w, Call call)
    {
        ChunkHead(w, call);
        w.WriteStartArray("choices");
        w.WriteEndArray();
        ChatUsage(w, call);
        w.WriteEndObject();
    }

    /// <summary>Opens a stream chunk: its id, object, created time, model (and OpenAI's system fingerprint).</summary>
    private static void ChunkHead(Utf8JsonWriter w, Call call)
    {
        w.WriteStartObject();
        w.WriteString("id", "chatcmpl-" + call.Id);
        w.WriteString("object", "chat.completion.chunk");
        w.WriteNumber("created", call.Created);
        w.WriteString("model", call.Model);
        if (call.Dialect == Dialect.OpenAI)
            w.WriteString("system_fingerprint", "fp_fake0001");
    }

    private static void Response(Utf8JsonWriter w, Call call)
    {
        switch (call.Dialect, call.Kind)
        {
            case (Dialect.Anthropic, _):
                w.WriteStartObject();
                w.WriteString("id", "msg_" + call.Id);
                w.WriteString("type", "message");
                w.WriteString("role", "assistant");
                w.WriteString("model", call.Model);
                w.WriteStartArray("content");
                w.WriteStartObject();
                w.WriteString("type", "text");
                w.WriteString("text", string.Join(' ', ReplyWords.Take(call.WordCount)));
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteString("stop_reason", "end_turn");
                w.WriteNull("stop_sequence");
                AnthropicUsage(w, call, call.Completion);
                w.WriteEndObject();
                break;
            case (_, "embeddings"):
                w.WriteStartObject();
                if (call.Dialect == Dialect.Mistral)
                    w.WriteString("id", "embd-" + call.Id);
                w.WriteString("object", "list");
                w.WriteStartArray("data");
                w.WriteStartObject();
                w.WriteString("object", "embedding");
                w.WriteNumber("index", 0);
                w.WriteStartArray("embedding");
                for (var i = 0; i < 16; i++)
                    w.WriteNumberValue(Math.Round(Math.Sin(call.Id[i % call.Id.Length] + i), 6));
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteString("model", call.Model);
                ChatUsage(w, call);
                w.WriteEndObject();
                break;
            case (_, "ocr"):
                w.WriteStartObject();
                w.WriteStartArray("pages");
                for (var i = 0; i < call.Pages; i++)
                {
                    w.WriteStartObject();
                    w.WriteNumber("index", i);
                    w.WriteString("markdown", $"# Page {i + 1}\n\nText of the fake document.");
                    w.WriteStartArray("images");
                    w.WriteEndArray();
                    w.WriteStartObject("dimensions");
                    w.WriteNumber("dpi", 200);
                    w.WriteNumber("height", 2200);
                    w.WriteNumber("width", 1700);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteString("model", call.Model);
                w.WriteNull("document_annotation");
                w.WriteStartObject("usage_info");
                w.WriteNumber("pages_processed", call.Pages);
                w.WriteNumber("doc_size_bytes", Encoding.UTF8.GetByteCount(call.Prompt));
                w.WriteEndObject();
                w.WriteEndObject();
                break;
            default:
                w.WriteStartObject();
                w.WriteString("id", (call.Kind == "fim" ? "fim-" : "chatcmpl-") + call.Id);
                w.WriteString("object", "chat.completion");
                w.WriteNumber("created", call.Created);
                w.WriteString("model", call.Model);
                if (call.Dialect == Dialect.Mistral)
                    ChatUsage(w, call); // Mistral puts usage before the choices (provider-apis.md §1.3 example)
                w.WriteStartArray("choices");
                w.WriteStartObject();
                w.WriteNumber("index", 0);
                w.WriteStartObject("message");
                w.WriteString("role", "assistant");
                w.WriteString("content", string.Join(' ', ReplyWords.Take(call.WordCount)));
                w.WriteEndObject();
                if (call.Dialect != Dialect.Mistral)
                    w.WriteNull("logprobs");
                w.WriteString("finish_reason", "stop");
                w.WriteEndObject();
                w.WriteEndArray();
                if (call.Dialect != Dialect.Mistral)
                    ChatUsage(w, call);
                w.WriteEndObject();
                break;
        }
    }

    private static void ChatUsage(Utf8JsonWriter w, Call call)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", call.PromptTokens);
        if (call.Kind != "embeddings" || call.Dialect == Dialect.Mistral)
            w.WriteNumber("completion_tokens", call.Completion);
        w.WriteNumber("total_tokens", call.PromptTokens + call.Completion);
        if (call.Cached > 0 && call.Kind != "embeddings")
        {
            w.WriteStartObject("prompt_tokens_details");
            w.WriteNumber("cached_tokens", call.Cached);
            w.WriteEndObject();
        }

        if (call.ReasoningTokens > 0)
        {
            w.WriteStartObject("completion_tokens_details");
            w.WriteNumber("reasoning_tokens", call.ReasoningTokens);
            w.WriteEndObject();
        }

        if (call.Dialect == Dialect.OpenRouter)
        {
            w.WriteNumber("cost", Math.Round((call.PromptTokens * 3m + call.Completion * 15m) / 1_000_000m, 8));
            w.WriteBoolean("is_byok", false);
        }

        w.WriteEndObject();
    }

    private static void AnthropicUsage(Utf8JsonWriter w, Call call, long outputTokens)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("input_tokens", call.Tokens.Input);
        w.WriteNumber("cache_creation_input_tokens", call.CacheWrite);
        w.WriteNumber("cache_read_input_tokens", call.Cached);
        w.WriteNumber("output_tokens", outputTokens);
        w.WriteEndObject();
    }

    private static void Error(Utf8JsonWriter w, Dialect dialect, string type, string message)
    {
        w.WriteStartObject();
        if (dialect == Dialect.Anthropic)
        {
            w.WriteString("type", "error");
            w.WriteStartObject("error");
            w.WriteString("type", type);
            w.WriteString("message", message);
            w.WriteEndObject();
        }
        else
        {
            w.WriteStartObject("error");
            w.WriteString("message", message);
            w.WriteString("type", type);
            w.WriteNull("param");
            w.WriteNull("code");
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static byte[] Data(Action<Utf8JsonWriter> write) => Frame("data: "u8, write, null);

    private static byte[] Event(string name, Action<Utf8JsonWriter> write) => Frame("data: "u8, write, name);

    private static byte[] Frame(ReadOnlySpan<byte> prefix, Action<Utf8JsonWriter> write, string? eventName)
    {
        var buffer = new ArrayBufferWriter<byte>();
        if (eventName is not null)
            buffer.Write(Encoding.UTF8.GetBytes("event: " + eventName + "\n"));
        buffer.Write(prefix);
        using (var writer = new Utf8JsonWriter(buffer))
            write(writer);
        buffer.Write("\n\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
            write(writer);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }

    private static string? Text(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The text the prompt tokens are counted from: messages, FIM prompt and suffix, embedding inputs, the OCR document.</summary>
    private static string PromptText(JsonElement root, string kind)
    {
        var text = new StringBuilder();
        void Add(JsonElement value)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    text.Append(value.GetString());
                    break;
                case JsonValueKind.Array:
                    foreach (var item in value.EnumerateArray())
                        Add(item);
                    break;
                case JsonValueKind.Object:
                    if (value.TryGetProperty("content", out var content))
                        Add(content);
                    if (value.TryGetProperty("text", out var t))
                        Add(t);
                    if (value.TryGetProperty("document_url", out var url))
                        Add(url);
                    break;
                default:
                    break;
            }
        }

        foreach (var name in kind switch
        {
            "fim" => new[] { "prompt", "suffix" },
            "embeddings" => ["input"],
            "ocr" => ["document"],
            _ => ["system", "messages"],
        })
        {
            if (root.TryGetProperty(name, out var value))
                Add(value);
        }

        return text.ToString();
    }

    private static int Words(JsonElement root)
    {
        foreach (var name in new[] { "max_tokens", "max_completion_tokens" })
        {
            if (root.TryGetProperty(name, out var max) && max.TryGetInt32(out var n) && n > 0)
                return Math.Min(n, ReplyWords.Length);
        }

        return ReplyWords.Length;
    }

    // Stable across retries of the same request, and the same whether or not a proxy added stream_options.
    private static string Id(string model, JsonElement root) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(model + "\n" + PromptText(root, "chat") + PromptText(root, "fim") + PromptText(root, "embeddings"))))[..24];
}
