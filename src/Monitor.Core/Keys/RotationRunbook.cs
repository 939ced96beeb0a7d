using Monitor.Core.Usage;

namespace Monitor.Core.Keys;

/// <summary>The short rotation runbook a reminder carries, worded for the key's provider. It names the key by fingerprint, never by value.</summary>
public static class RotationRunbook
{
    public static IReadOnlyList<string> For(KeyState key)
    {
        var where = key.Key.Workspace.Length > 0 ? $" in the same workspace ({key.Key.Workspace})" : "";
        var create = key.Provider switch
        {
            ProviderKind.Mistral or ProviderKind.Codestral => $"Create a new key in the Mistral console (API keys){where}, with an expiration date.",
            ProviderKind.OpenAI => key.Key.Kind == "admin"
                ? "Create a new admin key (Organization settings > Admin keys) with an expiry."
                : $"Create a new project key in the OpenAI dashboard (Project > API keys){where}.",
            ProviderKind.Anthropic => $"Create a new key in the Anthropic Console (Settings > API keys){where}.",
            ProviderKind.OpenRouter => "Create a new key on OpenRouter (Settings > Keys) with the same limit and an expiry.",
            ProviderKind.LiteLLM => "Regenerate the virtual key on the LiteLLM proxy (/key/regenerate, or /key/generate with the same team and budget).",
            _ => $"Create a new key at the provider{where}.",
        };
        return
        [
            create,
            $"Deploy the new key wherever {key.Key.Name ?? key.Key.KeyId} is used (secrets store, CI, servers) and restart the callers.",
            $"Watch the old key's traffic ({key.FingerprintText}) fall to zero on this monitor; keep the old key until it does.",
            "Delete the old key at the provider; a deleted key that still shows usage raises a critical alert here.",
        ];
    }
}
