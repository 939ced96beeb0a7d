using Monitor.Core;
using Monitor.Storage;

namespace Monitor.Dashboard;

/// <summary>The names panel fields have in page files and URLs, one place for parsing and printing them.</summary>
public static class PanelWire
{
    private static readonly (PanelWindow Window, string Name)[] WindowNames =
    [
        (PanelWindow.MonthToDate, "mtd"),
        (PanelWindow.Last7Days, "7d"),
        (PanelWindow.Last30Days, "30d"),
        (PanelWindow.Last90Days, "90d"),
    ];

    public static string ToWire(this PanelMetric metric) => SnakeCase.Of(metric);
    public static string ToWire(this PanelGrouping grouping) => SnakeCase.Of(grouping);
    public static string ToWire(this PanelKind kind) => SnakeCase.Of(kind);
    public static string ToWire(this PageSection section) => SnakeCase.Of(section);
    public static string ToWire(this PanelWindow window) => WindowNames.First(w => w.Window == window).Name;

    /// <summary>All wire names of an enum, for error messages: "line, stacked_bar, table".</summary>
    public static IReadOnlyList<string> Names<T>() where T : struct, Enum =>
        typeof(T) == typeof(PanelWindow)
            ? [.. WindowNames.Select(w => w.Name)]
            : [.. Enum.GetValues<T>().Select(v => SnakeCase.Of(v))];

    /// <summary>Exact wire names only (no PascalCase, no case folding): a page file has one spelling.</summary>
    public static bool TryParse<T>(string text, out T value) where T : struct, Enum
    {
        if (typeof(T) == typeof(PanelWindow))
        {
            foreach (var (window, name) in WindowNames)
            {
                if (name == text)
                {
                    value = (T)(object)window;
                    return true;
                }
            }
        }
        else
        {
            foreach (var candidate in Enum.GetValues<T>())
            {
                if (SnakeCase.Of(candidate) == text)
                {
                    value = candidate;
                    return true;
                }
            }
        }

        value = default;
        return false;
    }
}
