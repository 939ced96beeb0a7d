using System.Globalization;
using Monitor.Core.Pricing;

namespace Monitor.Dashboard;

/// <summary>
/// The dashboard's HTTP surface: <c>GET /</c> (the home page), <c>GET /dashboards/{slug}</c>,
/// <c>GET /charts/{slug}/{panel}.png?currency=EUR</c> and <c>GET /healthz</c>.
/// </summary>
public static class DashboardEndpoints
{
    private const string Html = "text/html; charset=utf-8";
    private const string Text = "text/plain; charset=utf-8";

    // No script anywhere: a value that escaped encoding still could not run.
    private const string ContentSecurityPolicy = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

    public static WebApplication MapDashboard(this WebApplication app)
    {
        app.MapGet("/", (HttpContext http, DashboardCatalog catalog, DashboardReader reader, CancellationToken ct) =>
            PageAsync(http, catalog.Home, reader, ct));

        app.MapGet("/dashboards/{slug}", (string slug, HttpContext http, DashboardCatalog catalog, DashboardReader reader, CancellationToken ct) =>
            catalog.Find(slug) is { } page
                ? PageAsync(http, page, reader, ct)
                : Task.FromResult(Results.Text($"No dashboard page '{slug}'.", Text, statusCode: StatusCodes.Status404NotFound)));

        app.MapGet("/charts/{slug}/{panel}.png", ChartAsync);

        app.MapGet("/healthz", async (DashboardRepository repository, CancellationToken ct) =>
        {
            try
            {
                return await repository.PingAsync(ct)
                    ? Results.Text("ok", Text)
                    : Results.Text("database did not answer", Text, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return Results.Text("database unavailable: " + e.Message, Text, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });

        return app;
    }

    private static async Task<IResult> PageAsync(HttpContext http, DashboardPage page, DashboardReader reader, CancellationToken ct)
    {
        var view = await reader.ReadPageAsync(page, ct);
        http.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        http.Response.Headers.CacheControl = "no-store";
        return Results.Text(DashboardHtml.Render(view), Html);
    }

    private static async Task<IResult> ChartAsync(
        string slug, string panel, string? currency, HttpContext http, DashboardCatalog catalog, DashboardReader reader, CancellationToken ct)
    {
        if (catalog.Find(slug) is not { } page)
            return Results.Text($"No dashboard page '{slug}'.", Text, statusCode: StatusCodes.Status404NotFound);

        if (!int.TryParse(panel, NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index >= page.Panels.Count)
        {
            return BadRequest($"Panel '{panel}' is not a panel of '{slug}': use 0 to {page.Panels.Count - 1}.");
        }

        var definition = page.Panels[index];
        if (definition.Kind == PanelKind.Table)
            return BadRequest($"Panel {index} of '{slug}' is a table and has no chart.");

        Currency? parsed = null;
        if (currency is not null)
        {
            if (!Currencies.TryParse(currency, out var c) || currency != c.ToString())
                return BadRequest($"Currency '{currency}' is not one of {string.Join(", ", Enum.GetNames<Currency>())}.");
            parsed = c;
        }

        if (definition.Metric == PanelMetric.Cost && parsed is null)
            return BadRequest($"Panel {index} of '{slug}' shows cost: add ?currency= ({string.Join(", ", Enum.GetNames<Currency>())}); currencies are never added together.");

        var chart = await reader.ReadChartAsync(definition, parsed, ct);
        var png = DashboardCharts.RenderPng(chart);
        http.Response.Headers.CacheControl = "no-cache";
        return Results.Bytes(png, "image/png");
    }

    private static IResult BadRequest(string message) => Results.Text(message, Text, statusCode: StatusCodes.Status400BadRequest);
}
