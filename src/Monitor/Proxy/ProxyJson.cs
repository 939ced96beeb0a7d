using System.Text.Json.Serialization;

namespace Monitor.Proxy;

/// <summary>Source-generated JSON for the proxy's own error bodies (snake_case, nulls written as the providers do).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(OpenAIError))]
[JsonSerializable(typeof(AnthropicError))]
internal sealed partial class ProxyJson : JsonSerializerContext;
