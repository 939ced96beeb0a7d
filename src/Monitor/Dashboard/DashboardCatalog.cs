using System.Reflection;

namespace Monitor.Dashboard;

/// <summary>
/// The validated dashboard pages, loaded once at start: from <c>DashboardOptions.Directory</c> when that folder
/// exists (every <c>*.json</c> in it), else from the copies of <c>dashboards/*.json</c> embedded in the build.
/// A bad file throws, naming the file and the field, so the process does not start with a broken page.
/// </summary>
public sealed class DashboardCatalog
{
    /// <summary>The page <c>GET /</c> shows when it exists; otherwise the first page by slug.</summary>
    public const string HomeSlug = "overview";

    private const string ResourcePrefix = "Monitor.dashboards.";

    private readonly Dictionary<string, DashboardPage> _pages;

    public DashboardCatalog(IEnumerable<DashboardPage> pages)
    {
        _pages = new Dictionary<string, DashboardPage>(StringComparer.Ordinal);
        foreach (var page in pages)
        {
            if (!_pages.TryAdd(page.Slug, page))
                throw new InvalidOperationException($"{page.Source}: slug: '{page.Slug}' is also defined by {_pages[page.Slug].Source}");
        }

        if (_pages.Count == 0)
            throw new InvalidOperationException("dashboards: no page files (*.json) found");
        Pages = [.. _pages.Values.OrderBy(p => p.Slug == HomeSlug ? 0 : 1).ThenBy(p => p.Slug, StringComparer.Ordinal)];
    }

    /// <summary>The home page first, then by slug: the order of the navigation.</summary>
    public IReadOnlyList<DashboardPage> Pages { get; }

    public DashboardPage Home => Pages[0];

    public DashboardPage? Find(string slug) => _pages.GetValueOrDefault(slug);

    /// <summary>Loads from <paramref name="directory"/> when it exists, else from the embedded copies.</summary>
    /// <param name="directory">Relative paths resolve against <paramref name="baseDirectory"/>.</param>
    /// <param name="baseDirectory">The content root of the host.</param>
    public static DashboardCatalog Load(string directory, string baseDirectory)
    {
        var full = Path.GetFullPath(directory, baseDirectory);
        return Directory.Exists(full) ? LoadDirectory(directory, full) : LoadEmbedded();
    }

    private static DashboardCatalog LoadDirectory(string shownDirectory, string fullDirectory)
    {
        var pages = Directory.EnumerateFiles(fullDirectory, "*.json")
            .Order(StringComparer.Ordinal)
            .Select(file =>
            {
                var name = Path.GetFileName(file);
                var shown = shownDirectory.TrimEnd('/', '\\') + "/" + name;
                return DashboardPageParser.Parse(shown, File.ReadAllText(file), Path.GetFileNameWithoutExtension(name));
            })
            .ToList();
        if (pages.Count == 0)
            throw new InvalidOperationException($"{shownDirectory}: no page files (*.json) in {fullDirectory}");
        return new DashboardCatalog(pages);
    }

    private static DashboardCatalog LoadEmbedded()
    {
        var assembly = typeof(DashboardCatalog).Assembly;
        var pages = assembly.GetManifestResourceNames()
            .Where(r => r.StartsWith(ResourcePrefix, StringComparison.Ordinal) && r.EndsWith(".json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(resource =>
            {
                var name = resource[ResourcePrefix.Length..];
                return DashboardPageParser.Parse(
                    $"dashboards/{name} (embedded)", ReadResource(assembly, resource), Path.GetFileNameWithoutExtension(name));
            })
            .ToList();
        return new DashboardCatalog(pages);
    }

    private static string ReadResource(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Dashboard resource {resource} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
