namespace Monitor.Demo;

/// <summary>
/// One hour of the demo's true usage for one key, model and batch flag. <see cref="InputTokens"/> is uncached input
/// only; <see cref="CachedInputTokens"/> the cache reads (OpenAI's <c>input_tokens</c> is their sum).
/// </summary>
public sealed record DemoUsageHour
{
    /// <summary>One of the <see cref="DemoScenario"/> provider constants: mistral, openai, anthropic, openrouter, kilo, litellm.</summary>
    public required string Provider { get; init; }

    /// <summary>Mistral or Anthropic workspace, OpenAI project, OpenRouter workspace, LiteLLM team; empty for Kilo.</summary>
    public required string Workspace { get; init; }

    public required string KeyId { get; init; }
    public required string Model { get; init; }

    /// <summary>Start of the hour, UTC.</summary>
    public required DateTimeOffset HourStart { get; init; }

    public long InputTokens { get; init; }
    public long CachedInputTokens { get; init; }

    /// <summary>Input written to the prompt cache (Anthropic-style cache creation); 0 elsewhere.</summary>
    public long CacheWriteTokens { get; init; }

    public long OutputTokens { get; init; }

    /// <summary>The part of <see cref="OutputTokens"/> spent reasoning (OpenRouter and Kilo report it); 0 elsewhere.</summary>
    public long ReasoningTokens { get; init; }
    public long Requests { get; init; }
    public bool Batch { get; init; }
}
