using System.Text.Json;
using Monitor.Core.Usage;

namespace Monitor.Proxy;

/// <summary>
/// The usage one response reported, gathered as it passes: the model as answered and every usage field seen (a later
/// usage object overrides the fields it carries: OpenAI's and Mistral's last chunk, Anthropic's <c>message_start</c>
/// then <c>message_delta</c>). The three wire forms of tokens are told apart by their fields:
/// <list type="bullet">
/// <item>Chat Completions (OpenAI, Mistral, OpenRouter, Kilo): <c>prompt_tokens</c> includes
/// <c>prompt_tokens_details.cached_tokens</c> and <c>cache_write_tokens</c>; <c>completion_tokens</c> includes
/// <c>completion_tokens_details.reasoning_tokens</c> (provider-apis.md §1.3, §2.5, §4.7).</item>
/// <item>Anthropic Messages: <c>input_tokens</c> excludes <c>cache_read_input_tokens</c> and
/// <c>cache_creation_input_tokens</c>.</item>
/// <item>OpenAI Responses: <c>input_tokens</c> includes <c>input_tokens_details.cached_tokens</c>;
/// <c>output_tokens_details.reasoning_tokens</c> is part of <c>output_tokens</c>.</item>
/// </list>
/// Mistral's OCR reports <c>usage_info.pages_processed</c>: pages, not tokens.
/// </summary>
public sealed class ResponseUsage
{
    private long? _prompt, _completion, _cached, _cacheWrite, _reasoning;
    private long? _input, _output, _cacheRead, _cacheCreation;
    private bool _responsesApi;

    /// <summary>The model as the provider answered, or null when no response named one.</summary>
    public string? Model { get; set; }

    /// <summary>True once any usage (tokens or pages) was read.</summary>
    public bool Seen { get; private set; }

    /// <summary>OCR pages processed (unit <c>pages</c>), 0 when none.</summary>
    public long Pages { get; private set; }

    /// <summary>The tokens of the call by billing category (uncached input, cache reads, cache writes, output, reasoning).</summary>
    public TokenCounts Tokens
    {
        get
        {
            if (_prompt is not null || _completion is not null)
            {
                var cached = _cached ?? 0;
                var write = _cacheWrite ?? 0;
                return new TokenCounts(Math.Max(0, (_prompt ?? 0) - cached - write), cached, write, _completion ?? 0, _reasoning ?? 0);
            }

            if (_responsesApi)
            {
                var cached = _cached ?? 0;
                return new TokenCounts(Math.Max(0, (_input ?? 0) - cached), cached, 0, _output ?? 0, _reasoning ?? 0);
            }

            return new TokenCounts(_input ?? 0, _cacheRead ?? 0, _cacheCreation ?? 0, _output ?? 0, 0);
        }
    }

    /// <summary>Reads a <c>usage</c> object (any of the three forms); null or anything else is ignored.</summary>
    public void ReadUsage(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object)
            return;
        foreach (var field in usage.EnumerateObject())
        {
            switch (field.Name)
            {
                case "prompt_tokens": Set(ref _prompt, field.Value); break;
                case "completion_tokens": Set(ref _completion, field.Value); break;
                case "input_tokens": Set(ref _input, field.Value); break;
                case "output_tokens": Set(ref _output, field.Value); break;
                case "cache_read_input_tokens": Set(ref _cacheRead, field.Value); break;
                case "cache_creation_input_tokens": Set(ref _cacheCreation, field.Value); break;
                case "prompt_tokens_details" or "input_tokens_details" when field.Value.ValueKind == JsonValueKind.Object:
                    _responsesApi |= field.Name == "input_tokens_details";
                    if (field.Value.TryGetProperty("cached_tokens", out var cached))
                        Set(ref _cached, cached);
                    if (field.Value.TryGetProperty("cache_write_tokens", out var write))
                        Set(ref _cacheWrite, write);
                    break;
                case "completion_tokens_details" or "output_tokens_details" when field.Value.ValueKind == JsonValueKind.Object:
                    _responsesApi |= field.Name == "output_tokens_details";
                    if (field.Value.TryGetProperty("reasoning_tokens", out var reasoning))
                        Set(ref _reasoning, reasoning);
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>Reads Mistral OCR's <c>usage_info</c>.</summary>
    public void ReadOcrUsage(JsonElement usageInfo)
    {
        if (usageInfo.ValueKind == JsonValueKind.Object && usageInfo.TryGetProperty("pages_processed", out var pages) && pages.TryGetInt64(out var count) && count >= 0)
        {
            Pages = count;
            Seen = true;
        }
    }

    /// <summary>Reads what a response object (or one stream event) carries at its top level: model, usage, usage_info.</summary>
    public void ReadResponse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            return;
        if (root.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String && Model is null)
            Model = model.GetString();
        if (root.TryGetProperty("usage", out var usage))
            ReadUsage(usage);
        if (root.TryGetProperty("usage_info", out var usageInfo))
            ReadOcrUsage(usageInfo);
    }

    /// <summary>
    /// Reads one stream event: a Chat Completions chunk (top-level <c>model</c>, <c>usage</c>), Anthropic's
    /// <c>message_start</c> (<c>message.model</c>, <c>message.usage</c>) and <c>message_delta</c> (<c>usage</c>), or an
    /// OpenAI Responses event (<c>response.model</c>, <c>response.usage</c>).
    /// </summary>
    public void ReadEvent(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            return;
        ReadResponse(root);
        if (root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object)
            ReadResponse(message);
        if (root.TryGetProperty("response", out var response) && response.ValueKind == JsonValueKind.Object)
        {
            _responsesApi = true;
            ReadResponse(response);
        }
    }

    private void Set(ref long? field, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) && n >= 0)
        {
            field = n;
            Seen = true;
        }
    }
}
