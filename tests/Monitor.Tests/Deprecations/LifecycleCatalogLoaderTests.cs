using Monitor.Core.Usage;
using Monitor.Deprecations;
using Monitor.Hosting;
using Monitor.Tests.Support;

namespace Monitor.Tests.Deprecations;

public sealed class LifecycleCatalogLoaderTests
{
    [Fact]
    public void Load_Shipped_KnowsAnthropicAndMistralRetirements()
    {
        var catalog = LifecycleCatalogLoader.Load((string?)null);

        Assert.Equal(new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero), catalog.Resolve(ProviderKind.Anthropic, "claude-3-opus-20240229", null)!.RetiresAt);
        Assert.Equal("mistral-medium-3-5", catalog.Resolve(ProviderKind.Mistral, "mistral-medium-2505", null)!.Replacement);
        Assert.Null(catalog.Resolve(ProviderKind.Mistral, "mistral-large-2512", null));
    }

    [Theory]
    [InlineData("""{"models":[{"provider":"Mistral","model":"a","retires_on":"2026-13-01","source":"x"}]}""", "models[0].retires_on: '2026-13-01' is not a date")]
    [InlineData("""{"models":[{"provider":"Mistral","model":"a","retires_on":"2026-08-31"}]}""", "models[0].source: is required")]
    [InlineData("""{"models":[{"provider":"Mistrall","model":"a","retires_on":"2026-08-31","source":"x"}]}""", "models[0].provider: 'Mistrall' is not a provider kind")]
    [InlineData("""{"model":[]}""", "models: expected an array")]
    public void Problems_BadUserFile_OneLineNamingKeyFileEntryAndField(string json, string expected)
    {
        using var ledger = new TempLedger();
        var file = ledger.File("mine.json", json);

        var problem = Assert.Single(LifecycleProblems.Of(new MonitorOptions { Deprecations = new() { LifecycleFile = file } }));

        Assert.StartsWith($"Monitor:Deprecations:LifecycleFile: {file}: ", problem, StringComparison.Ordinal);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_DeclaredKeyWithoutCreatedAtOrWithBadOwner_NameTheKeys()
    {
        var options = new MonitorOptions();
        options.Keys.Declared.Add(new DeclaredKeyOptions { Name = "ci", Account = "kilo", Owner = "nobody" });

        Assert.Equal(
            ["Monitor:Keys:Declared:0:CreatedAt: is required (when the key was created, e.g. 2026-03-01)",
             "Monitor:Keys:Declared:0:Owner: 'nobody' is not an email address"],
            LifecycleProblems.Of(options));
    }
}
