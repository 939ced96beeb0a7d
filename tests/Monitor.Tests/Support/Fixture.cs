namespace Monitor.Tests.Support;

/// <summary>
/// A provider payload recorded in <c>tests/Fixtures/{provider}/{name}.json</c>, shaped exactly as the provider's
/// published spec or an independent client shows it. The file starts with <c>//</c> lines naming its source (repository
/// and path with the line, or documentation page); the rest is the body as sent on the wire.
/// </summary>
public sealed record Fixture(string Name, string Source, string Body)
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Fixtures");

    /// <param name="name">Relative to <c>tests/Fixtures</c>, e.g. <c>mistral/usage.json</c>.</param>
    public static Fixture Load(string name)
    {
        var lines = File.ReadAllLines(Path.Combine(Root, name));
        var source = lines.TakeWhile(l => l.TrimStart().StartsWith("//", StringComparison.Ordinal))
            .Select(l => l.TrimStart()[2..].Trim()).ToList();
        if (source.Count == 0)
            throw new InvalidOperationException($"tests/Fixtures/{name}: the first lines must name the payload's source (// ...)");
        return new Fixture(name, string.Join(' ', source), string.Join('\n', lines.Skip(source.Count)));
    }

    /// <summary>Every fixture file of one provider folder (for the shape checks of the fakes).</summary>
    public static IEnumerable<string> Names(string provider) =>
        Directory.EnumerateFiles(Path.Combine(Root, provider), "*.json").Select(f => provider + "/" + Path.GetFileName(f)).Order(StringComparer.Ordinal);
}
