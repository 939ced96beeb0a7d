using Monitor.Core.Deprecations;
using Monitor.Core.Usage;

namespace Monitor.Core.Tests.Deprecations;

public sealed class LifecycleCatalogTests
{
    private static readonly DateTimeOffset Shipped = new(2026, 8, 31, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Listed = new(2027, 1, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset User = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static LifecycleEntry Entry(ProviderKind p, string model, DateTimeOffset at, string? replacement, string source, params string[] aliases) =>
        new() { Provider = p, Model = model, RetiresAt = at, Replacement = replacement, Source = source, Aliases = aliases };

    [Fact]
    public void Resolve_ProviderListBeatsShippedFile_AndKeepsTheFilesReplacement()
    {
        var catalog = new LifecycleCatalog([Entry(ProviderKind.Mistral, "mistral-medium-2505", Shipped, "mistral-medium-3-5", "table")], []);

        var life = catalog.Resolve(ProviderKind.Mistral, "mistral-medium-2505", new ModelInfo { Model = "mistral-medium-2505", ShutdownAt = Listed });

        Assert.Equal(new ModelLifecycle("mistral-medium-2505", Listed, "mistral-medium-3-5", "provider model list"), life);
    }

    [Fact]
    public void Resolve_UserFileBeatsEveryone()
    {
        var catalog = new LifecycleCatalog(
            [Entry(ProviderKind.Mistral, "mistral-medium-2505", Shipped, "mistral-medium-3-5", "table")],
            [Entry(ProviderKind.Mistral, "mistral-medium-2505", User, null, "ops.json")]);

        var life = catalog.Resolve(ProviderKind.Mistral, "Mistral-Medium-2505", new ModelInfo { Model = "mistral-medium-2505", ShutdownAt = Listed, Replacement = "x" });

        // The user gave no replacement: the next level down (the provider's list) supplies it.
        Assert.Equal(new ModelLifecycle("Mistral-Medium-2505", User, "x", "ops.json"), life);
    }

    [Fact]
    public void Resolve_ShippedOnly_ByAliasAndForCodestralAccounts()
    {
        var catalog = new LifecycleCatalog([Entry(ProviderKind.Mistral, "codestral-2501", Shipped, "codestral-2508", "table", "codestral-2412")], []);

        Assert.Equal(Shipped, catalog.Resolve(ProviderKind.Codestral, "codestral-2412", null)!.RetiresAt);
        Assert.Null(catalog.Resolve(ProviderKind.OpenAI, "codestral-2501", null));
    }

    [Fact]
    public void Resolve_GatewayModelWithVendorPrefix_MatchesTheVendorsEntry()
    {
        var catalog = new LifecycleCatalog([Entry(ProviderKind.Anthropic, "claude-3-opus-20240229", Shipped, "claude-opus-4-1-20250805", "deprecations page")], []);

        Assert.Equal("claude-opus-4-1-20250805", catalog.Resolve(ProviderKind.OpenRouter, "anthropic/claude-3-opus-20240229", null)!.Replacement);
        Assert.Equal(Shipped, catalog.Resolve(ProviderKind.LiteLLM, "claude-3-opus-20240229", null)!.RetiresAt);
    }

    [Fact]
    public void Resolve_NobodyAnnouncedAnEnd_IsNull()
    {
        var catalog = new LifecycleCatalog([], []);

        Assert.Null(catalog.Resolve(ProviderKind.Mistral, "mistral-large-2512", new ModelInfo { Model = "mistral-large-2512" }));
    }
}
