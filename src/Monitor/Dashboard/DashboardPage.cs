namespace Monitor.Dashboard;

/// <summary>A dashboard page as defined by one <c>dashboards/{slug}.json</c> file.</summary>
public sealed record DashboardPage
{
    public required string Slug { get; init; }
    public required string Title { get; init; }
    public required IReadOnlyList<DashboardPanel> Panels { get; init; }

    /// <summary>The fixed sections shown after the panels, in this order.</summary>
    public IReadOnlyList<PageSection> Sections { get; init; } = DefaultSections;

    /// <summary>What a page without a <c>sections</c> field shows (the format before sections existed).</summary>
    public static IReadOnlyList<PageSection> DefaultSections { get; } = [PageSection.Freshness, PageSection.SpendLimits, PageSection.Unpriced];

    /// <summary>Where the definition came from (a file path or the embedded copy), for messages.</summary>
    public required string Source { get; init; }
}
