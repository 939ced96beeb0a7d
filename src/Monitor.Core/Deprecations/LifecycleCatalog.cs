using Monitor.Core.Usage;

namespace Monitor.Core.Deprecations;

/// <summary>
/// Merges what providers list (Mistral <c>deprecation</c>, OpenAI <c>shutdown_date</c>, OpenRouter
/// <c>expiration_date</c>) with the lifecycle data file. Precedence: the user's file, then the provider's model list,
/// then the shipped file (providers correct their dates; the user corrects everyone). A replacement missing at the
/// winning level is taken from the next one that has it.
/// </summary>
public sealed class LifecycleCatalog
{
    private readonly Dictionary<(ProviderKind, string), LifecycleEntry> _shipped = [];
    private readonly Dictionary<(ProviderKind, string), LifecycleEntry> _user = [];

    public LifecycleCatalog(IEnumerable<LifecycleEntry> shipped, IEnumerable<LifecycleEntry> user)
    {
        Index(_shipped, shipped);
        Index(_user, user);
    }

    public int Count => _shipped.Count + _user.Count;

    /// <summary>
    /// The lifecycle of <paramref name="model"/> as called through an account of <paramref name="provider"/>, or null
    /// when nobody announced an end. <paramref name="listed"/> is the provider's own card for the model (or for the
    /// model the name is an alias of). Gateways (OpenRouter, LiteLLM, Kilo, OpenAI-compatible) are matched against
    /// every provider's entries by the model's own name (<c>anthropic/claude-3-opus-20240229</c> as
    /// <c>claude-3-opus-20240229</c>).
    /// </summary>
    public ModelLifecycle? Resolve(ProviderKind provider, string model, ModelInfo? listed)
    {
        var user = Find(_user, provider, model);
        var shipped = Find(_shipped, provider, model);
        var fromList = listed?.ShutdownAt is { } at ? new ModelLifecycle(model, at, listed.Replacement, "provider model list") : null;
        var winner = user is not null ? Of(model, user) : fromList ?? (shipped is not null ? Of(model, shipped) : null);
        if (winner is null)
            return null;
        var replacement = winner.Replacement ?? user?.Replacement ?? listed?.Replacement ?? shipped?.Replacement;
        return winner with { Replacement = replacement };
    }

    private static ModelLifecycle Of(string model, LifecycleEntry e) => new(model, e.RetiresAt, e.Replacement, e.Source);

    private static LifecycleEntry? Find(Dictionary<(ProviderKind, string), LifecycleEntry> index, ProviderKind provider, string model)
    {
        var name = Normalize(model);
        var family = Family(provider);
        if (index.TryGetValue((family, name), out var direct))
            return direct;
        if (!IsGateway(provider))
            return null;
        var bare = name.Contains('/', StringComparison.Ordinal) ? name[(name.LastIndexOf('/') + 1)..] : name;
        foreach (var kind in Enum.GetValues<ProviderKind>())
        {
            if (index.TryGetValue((kind, bare), out var e))
                return e;
        }

        return null;
    }

    private static void Index(Dictionary<(ProviderKind, string), LifecycleEntry> index, IEnumerable<LifecycleEntry> entries)
    {
        foreach (var e in entries)
        {
            foreach (var name in e.Aliases.Prepend(e.Model))
                index[(Family(e.Provider), Normalize(name))] = e; // a later entry wins
        }
    }

    private static ProviderKind Family(ProviderKind kind) => kind == ProviderKind.Codestral ? ProviderKind.Mistral : kind;

    private static bool IsGateway(ProviderKind kind) =>
        kind is ProviderKind.OpenRouter or ProviderKind.LiteLLM or ProviderKind.Kilo or ProviderKind.OpenAICompatible;

    private static string Normalize(string model) => model.Trim().ToLowerInvariant();
}
