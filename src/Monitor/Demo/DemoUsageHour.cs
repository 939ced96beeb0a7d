namespace Monitor.Demo;

/// <summary>
/// One hour of the demo's true usage for one key, model and batch flag. <see cref="InputTokens"/> is uncached input
/// only; <see cref="CachedInputTokens"/> the cache reads (OpenAI's <c>input_tokens</c> is their sum).
/// </summary>
public sealed record DemoUsageHour
{
    /// <summary>"mistral" or "openai".</summary>
    public required string Provider { get; init; }

    /// <summary>Mistral workspace uuid or OpenAI project id.</summary>
    public required string Workspace { get; init; }

    public required string KeyId { get; init; }
    public required string Model { get; init; }

    /// <summary>Start of the hour, UTC.</summary>
    public required DateTimeOffset HourStart { get; init; }

    public long InputTokens { get; init; }
    public long CachedInputTokens { get; init; }
    public long OutputTokens { get; init; }
    public long Requests { get; init; }
    public bool Batch { get; init; }
}
