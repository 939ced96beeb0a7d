namespace Monitor.Demo;

/// <summary>
/// What the fakes' model and key listings show beyond the scenario, settable between pulls so tests can play a
/// provider over time: where each Mistral <c>-latest</c> alias points, keys created or deleted since, and a later
/// last-used date than the scenario's hours give.
/// </summary>
public sealed class DemoLifecycle
{
    /// <summary>Mistral's moving aliases and the dated model each resolves to; a target the list lacks is listed as a plain card.</summary>
    public Dictionary<string, string> AliasTargets { get; } = new(StringComparer.Ordinal)
    {
        ["mistral-large-latest"] = "mistral-large-2512",
        ["mistral-small-latest"] = "mistral-small-2603",
        ["mistral-medium-latest"] = "mistral-medium-3-5",
        ["codestral-latest"] = "codestral-2508",
    };

    /// <summary>Keys created after the scenario began (a rotation's new key); listed by the Mistral and OpenAI fakes.</summary>
    public List<DemoKey> AddedKeys { get; } = [];

    /// <summary>Keys deleted at the provider: the listings no longer show them (their usage, if any, goes on).</summary>
    public HashSet<string> RemovedKeyIds { get; } = new(StringComparer.Ordinal);

    /// <summary>Last-used dates the Mistral listing reports instead of the scenario's (a key still used after a rotation).</summary>
    public Dictionary<string, DateTimeOffset> LastUsed { get; } = new(StringComparer.Ordinal);

    /// <summary>The scenario's keys of a provider as a listing shows them now: added ones included, removed ones left out.</summary>
    public IEnumerable<DemoKey> Listed(IEnumerable<DemoKey> keys, string provider) =>
        keys.Concat(AddedKeys).Where(k => k.Provider == provider && !RemovedKeyIds.Contains(k.KeyId));
}
