using System.Globalization;
using Monitor.Storage;

namespace Monitor.Dashboard;

/// <summary>
/// Where a rendered page points: chart images, other pages, drill-downs, and the antiforgery token of its forms.
/// Served pages use absolute server paths and forms; the static report uses relative files and has no forms.
/// </summary>
public sealed record RenderContext
{
    public required Func<string, int, string?, string> ChartUrl { get; init; }
    public required Func<DashboardPage, string> PageUrl { get; init; }

    /// <summary>A drill-down link for an account, key or model; null: names are plain text (the static report).</summary>
    public Func<DrillFilter, string>? DrillUrl { get; init; }

    /// <summary>The page of a stored alert; null: alert titles are plain text (the static report).</summary>
    public Func<long, string>? AlertUrl { get; init; }

    /// <summary>The antiforgery form field and token; null: no forms (acknowledge and mute are not offered).</summary>
    public (string Field, string Token)? Form { get; init; }

    /// <summary>Also offer a dark chart for <c>prefers-color-scheme: dark</c> (served pages draw on request).</summary>
    public bool DarkCharts { get; init; }

    /// <summary>The served dashboard's links.</summary>
    public static RenderContext Live((string Field, string Token)? form) => new()
    {
        ChartUrl = ServedChartUrl,
        PageUrl = ServedPageUrl,
        DrillUrl = filter => "/drill?" + filter.Dimension + "=" + Uri.EscapeDataString(filter.Value),
        AlertUrl = AlertPaths.Page,
        Form = form,
        DarkCharts = true,
    };

    /// <summary>The served URL of a dashboard page.</summary>
    public static string ServedPageUrl(DashboardPage page) =>
        page.Slug == DashboardCatalog.HomeSlug ? "/" : "/dashboards/" + Uri.EscapeDataString(page.Slug);

    /// <summary>The chart image URL of a panel; <paramref name="currency"/> for cost charts.</summary>
    public static string ServedChartUrl(string slug, int panel, string? currency) =>
        $"/charts/{Uri.EscapeDataString(slug)}/{panel.ToString(CultureInfo.InvariantCulture)}.png"
        + (currency is null ? "" : "?currency=" + Uri.EscapeDataString(currency));
}
