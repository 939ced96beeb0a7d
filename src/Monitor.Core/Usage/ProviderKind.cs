namespace Monitor.Core.Usage;

/// <summary>The provider families the monitor can talk to; the configured <c>Kind</c> of an account.</summary>
public enum ProviderKind
{
    Mistral,
    Codestral,
    OpenAI,
    Anthropic,
    OpenRouter,
    Kilo,
    LiteLLM,
    OpenAICompatible,
}
