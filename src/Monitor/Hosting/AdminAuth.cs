namespace Monitor.Hosting;

/// <summary>How an admin key is sent (<see cref="ProviderOptions.AdminAuth"/>).</summary>
public enum AdminAuth
{
    /// <summary><c>x-api-key: {key}</c> (Mistral's admin docs since 2026-07).</summary>
    XApiKey,

    /// <summary><c>Authorization: Bearer {key}</c> (Mistral's OpenAPI file).</summary>
    Bearer,
}
