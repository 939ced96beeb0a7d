using System.Net.Http.Headers;
using System.Text;

namespace Monitor.Tests.Proxy;

/// <summary>Requests as Kilo Code, Roo Code or an SDK sends them, for each provider's format.</summary>
internal static class ProxyCalls
{
    /// <summary>The path of a chat call below the account's base: <c>/v1/chat/completions</c> (Kilo's gateway has no version).</summary>
    public static string ChatPath(string account) => account.StartsWith("kilo", StringComparison.Ordinal) ? "/chat/completions" : "/v1/chat/completions";

    public static HttpRequestMessage Chat(Uri url, string key, string model, string text, bool stream = false, bool? includeUsage = null, int? maxTokens = null)
    {
        var options = includeUsage is { } asked ? $",\"stream_options\":{{\"include_usage\":{(asked ? "true" : "false")}}}" : "";
        var max = maxTokens is { } m ? $",\"max_tokens\":{m}" : "";
        var json = $"{{\"model\":\"{model}\",\"messages\":[{{\"role\":\"user\",\"content\":\"{text}\"}}],\"stream\":{(stream ? "true" : "false")}{options}{max}}}";
        return Post(url, key, json);
    }

    public static HttpRequestMessage Fim(Uri url, string key, string model, string prompt, string suffix, bool stream = false) =>
        Post(url, key, $"{{\"model\":\"{model}\",\"prompt\":\"{prompt}\",\"suffix\":\"{suffix}\",\"stream\":{(stream ? "true" : "false")}}}");

    public static HttpRequestMessage Embeddings(Uri url, string key, string model, params string[] inputs) =>
        Post(url, key, $"{{\"model\":\"{model}\",\"input\":[{string.Join(",", inputs.Select(i => $"\"{i}\""))}]}}");

    public static HttpRequestMessage Ocr(Uri url, string key, string model, int documentBytes) =>
        Post(url, key, $"{{\"model\":\"{model}\",\"document\":{{\"type\":\"document_url\",\"document_url\":\"data:application/pdf;base64,{new string('A', documentBytes)}\"}}}}");

    public static HttpRequestMessage Messages(Uri url, string key, string model, string text, bool stream = false, bool cacheControl = false)
    {
        var system = cacheControl ? ",\"system\":[{\"type\":\"text\",\"text\":\"You are terse.\",\"cache_control\":{\"type\":\"ephemeral\"}}]" : "";
        var json = $"{{\"model\":\"{model}\",\"max_tokens\":1024{system},\"messages\":[{{\"role\":\"user\",\"content\":\"{text}\"}}],\"stream\":{(stream ? "true" : "false")}}}";
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-api-key", key);
        request.Headers.Add("anthropic-version", "2023-06-01");
        return request;
    }

    public static HttpRequestMessage Post(Uri url, string key, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    /// <summary>A long text (past the fakes' 400-byte cache threshold).</summary>
    public static string Long(string seed) => string.Concat(Enumerable.Repeat(seed + " ", 40));
}
