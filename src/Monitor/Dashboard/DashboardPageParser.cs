using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Monitor.Storage;

namespace Monitor.Dashboard;

/// <summary>
/// Reads and validates one page file. Every error names the file and the field, in the form
/// <c>dashboards/overview.json: panels[2].kind: 'pie' is not one of line, stacked_bar, table</c>.
/// Unknown fields are errors too: a misspelt field must not be silently ignored.
/// </summary>
public static partial class DashboardPageParser
{
    private static readonly string[] PageFields = ["slug", "title", "panels", "sections"];
    private static readonly string[] PanelFields = ["title", "metric", "grouping", "window", "kind", "limit"];

    /// <param name="source">The file as named in messages (e.g. <c>dashboards/overview.json</c>).</param>
    /// <param name="json">The file's text.</param>
    /// <param name="expectedSlug">The file name without extension: the slug must equal it.</param>
    public static DashboardPage Parse(string source, string json, string expectedSlug)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw Fail(source, "(file)", $"not valid JSON: {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Fail(source, "(file)", "must be a JSON object with slug, title and panels");
            RejectUnknown(source, root, "", PageFields);

            var slug = RequiredString(source, root, "slug", "slug");
            if (!SlugPattern().IsMatch(slug))
                throw Fail(source, "slug", $"'{slug}' must be lower-case letters, digits and dashes");
            if (slug != expectedSlug)
                throw Fail(source, "slug", $"'{slug}' must equal the file name '{expectedSlug}'");
            var title = RequiredString(source, root, "title", "title");

            if (!root.TryGetProperty("panels", out var panelsElement))
                throw Fail(source, "panels", "is required");
            if (panelsElement.ValueKind != JsonValueKind.Array || panelsElement.GetArrayLength() == 0)
                throw Fail(source, "panels", "must be a non-empty array");

            var panels = new List<DashboardPanel>();
            var index = 0;
            foreach (var element in panelsElement.EnumerateArray())
            {
                panels.Add(ParsePanel(source, element, $"panels[{index}]"));
                index++;
            }

            return new DashboardPage { Slug = slug, Title = title, Panels = panels, Sections = ParseSections(source, root), Source = source };
        }
    }

    private static DashboardPanel ParsePanel(string source, JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw Fail(source, path, "must be an object");
        RejectUnknown(source, element, path + ".", PanelFields);

        var title = RequiredString(source, element, "title", path + ".title");
        var metric = RequiredEnum<PanelMetric>(source, element, "metric", path);
        var kind = RequiredEnum<PanelKind>(source, element, "kind", path);
        PanelGrouping grouping;
        PanelWindow window;
        if (metric == PanelMetric.BudgetUse)
        {
            // A budget is its own grouping and has its own period.
            foreach (var field in (string[])["grouping", "window"])
            {
                if (element.TryGetProperty(field, out _))
                    throw Fail(source, $"{path}.{field}", "budget_use takes no grouping or window: each budget has its own period");
            }

            (grouping, window) = (PanelGrouping.Account, PanelWindow.MonthToDate);
            if (kind is not (PanelKind.Gauge or PanelKind.Table))
                throw Fail(source, path + ".kind", $"'{kind.ToWire()}' cannot show budget_use: use gauge or table");
        }
        else
        {
            grouping = RequiredEnum<PanelGrouping>(source, element, "grouping", path);
            window = RequiredEnum<PanelWindow>(source, element, "window", path);
            if (kind == PanelKind.Gauge)
                throw Fail(source, path + ".kind", $"'gauge' shows budgets only: use metric budget_use, not '{metric.ToWire()}'");
        }

        if (grouping == PanelGrouping.TokenCategory && metric != PanelMetric.Tokens)
            throw Fail(source, path + ".grouping", $"'token_category' needs metric 'tokens', not '{metric.ToWire()}'");
        if (metric == PanelMetric.Forecast && window != PanelWindow.MonthToDate)
            throw Fail(source, path + ".window", $"'{window.ToWire()}' cannot be forecast: forecast projects the month, use 'mtd'");
        if (metric == PanelMetric.Unmetered && kind != PanelKind.Table)
            throw Fail(source, path + ".kind", $"'{kind.ToWire()}' cannot show unmetered usage: use table");
        if (metric == PanelMetric.Unmetered && grouping is not (PanelGrouping.Account or PanelGrouping.Model))
            throw Fail(source, path + ".grouping", $"'{grouping.ToWire()}' cannot group unmetered usage: use account (per day) or model (per day and model)");
        if (metric == PanelMetric.Forecast && kind is not (PanelKind.Table or PanelKind.List))
            throw Fail(source, path + ".kind", $"'{kind.ToWire()}' cannot show a forecast: use table or list");

        var limit = DashboardPanel.DefaultLimit;
        if (element.TryGetProperty("limit", out var limitElement))
        {
            if (limitElement.ValueKind != JsonValueKind.Number || !limitElement.TryGetInt32(out limit)
                || limit < 1 || limit > DashboardPanel.MaxLimit)
            {
                throw Fail(source, path + ".limit",
                    $"'{limitElement.GetRawText()}' must be a whole number from 1 to {DashboardPanel.MaxLimit.ToString(CultureInfo.InvariantCulture)}");
            }
        }

        return new DashboardPanel { Title = title, Metric = metric, Grouping = grouping, Window = window, Kind = kind, Limit = limit };
    }

    private static IReadOnlyList<PageSection> ParseSections(string source, JsonElement root)
    {
        if (!root.TryGetProperty("sections", out var element))
            return DashboardPage.DefaultSections;
        if (element.ValueKind != JsonValueKind.Array)
            throw Fail(source, "sections", $"must be an array of {string.Join(", ", PanelWire.Names<PageSection>())}");
        var sections = new List<PageSection>();
        var index = 0;
        foreach (var item in element.EnumerateArray())
        {
            var path = $"sections[{index}]";
            var text = item.ValueKind == JsonValueKind.String ? item.GetString()! : item.GetRawText();
            if (item.ValueKind != JsonValueKind.String || !PanelWire.TryParse<PageSection>(text, out var section))
                throw Fail(source, path, $"'{text}' is not one of {string.Join(", ", PanelWire.Names<PageSection>())}");
            if (sections.Contains(section))
                throw Fail(source, path, $"'{text}' is listed twice");
            sections.Add(section);
            index++;
        }

        return sections;
    }

    private static string RequiredString(string source, JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value))
            throw Fail(source, path, "is required");
        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
            throw Fail(source, path, "must be a non-empty string");
        return value.GetString()!.Trim();
    }

    private static T RequiredEnum<T>(string source, JsonElement parent, string name, string panelPath) where T : struct, Enum
    {
        var path = panelPath + "." + name;
        if (!parent.TryGetProperty(name, out var value))
            throw Fail(source, path, $"is required, one of {string.Join(", ", PanelWire.Names<T>())}");
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        if (value.ValueKind != JsonValueKind.String || !PanelWire.TryParse<T>(text, out var parsed))
            throw Fail(source, path, $"'{text}' is not one of {string.Join(", ", PanelWire.Names<T>())}");
        return parsed;
    }

    private static void RejectUnknown(string source, JsonElement element, string prefix, string[] known)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (!known.Contains(property.Name, StringComparer.Ordinal))
                throw Fail(source, prefix + property.Name, $"unknown field (known: {string.Join(", ", known)})");
        }
    }

    private static InvalidOperationException Fail(string source, string path, string message) =>
        new($"{source}: {path}: {message}");

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex SlugPattern();
}
