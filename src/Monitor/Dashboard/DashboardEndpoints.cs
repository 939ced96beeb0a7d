using System.Globalization;
using Microsoft.AspNetCore.Antiforgery;
using Monitor.Alerts;
using Monitor.Core.Alerts;
using Monitor.Core.Pricing;
using Monitor.Hosting;
using Monitor.Ledger;
using Monitor.Storage;

namespace Monitor.Dashboard;

/// <summary>
/// The dashboard's HTTP surface: <c>GET /</c> (the home page), <c>GET /dashboards/{slug}</c>,
/// <c>GET /charts/{slug}/{panel}.png?currency=EUR&amp;theme=dark</c>, drill-downs <c>GET /drill?account|key|model=X&amp;from&amp;to</c>
/// (<c>&amp;format=csv</c> for the table, <c>/drill/chart.png</c> for its chart), <c>GET /alerts/{id}</c> (one alert's
/// page) and <c>/alerts/{id}/chart.png</c> (its evidence chart), <c>POST /alerts/{id}/ack|mute</c> (antiforgery), <c>GET /healthz</c> (always open) and <c>GET /metrics</c>. Bad parameters are a 400 with a message.
/// </summary>
public static class DashboardEndpoints
{
    private const string Html = "text/html; charset=utf-8";
    private const string Text = "text/plain; charset=utf-8";
    private const int MaxDrillDays = 400;

    // No script anywhere: a value that escaped encoding still could not run. Forms post to this origin only.
    private const string ContentSecurityPolicy = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static WebApplication MapDashboard(this WebApplication app)
    {
        var auth = app.Services.GetRequiredService<DashboardAuth>();
        app.Use(async (http, next) =>
        {
            // Proxy calls authenticate at the provider with the caller's own key (and the proxy's client token, if set).
            if (http.Request.Path == "/healthz" || http.Request.Path.StartsWithSegments(Proxy.ProxyPath.Root) || auth.Allows(http.Request))
            {
                await next(http);
                return;
            }

            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            http.Response.Headers.WWWAuthenticate = auth.OffersBasic ? "Basic realm=\"monitor\", charset=\"UTF-8\"" : "Bearer realm=\"monitor\"";
            await http.Response.WriteAsync("Authentication required.", http.RequestAborted);
        });

        app.MapGet("/", (HttpContext http, DashboardReader reader, IAntiforgery antiforgery, CancellationToken ct) =>
            PageAsync(http, reader.Catalog.Home, reader, antiforgery, ct));

        app.MapGet("/dashboards/{slug}", (string slug, HttpContext http, DashboardReader reader, IAntiforgery antiforgery, CancellationToken ct) =>
            reader.Catalog.Find(slug) is { } page
                ? PageAsync(http, page, reader, antiforgery, ct)
                : Task.FromResult(Results.Text($"No dashboard page '{slug}'.", Text, statusCode: StatusCodes.Status404NotFound)));

        app.MapGet("/charts/{slug}/{panel}.png", ChartAsync);
        app.MapGet("/drill", DrillAsync);
        app.MapGet("/drill/chart.png", DrillChartAsync);
        app.MapGet("/alerts/{id:long}", AlertPageAsync);
        app.MapGet("/alerts/{id:long}/chart.png", AlertChartAsync);
        app.MapPost("/alerts/{id}/ack", AcknowledgeAsync);
        app.MapPost("/alerts/{id}/mute", MuteAsync);

        app.MapGet("/metrics", async (DashboardMetrics metrics, CancellationToken ct) =>
            Results.Text(await metrics.RenderAsync(ct), DashboardMetrics.ContentType));

        app.MapGet("/healthz", async (DashboardRepository repository, SchedulerHealth scheduler, CancellationToken ct) =>
        {
            string database;
            var healthy = false;
            try
            {
                healthy = await repository.PingAsync(ct);
                database = healthy ? "ok" : "database did not answer";
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                database = "database unavailable: " + e.Message;
            }

            // The first line is the database's; a serving node adds its scheduler (and on a cluster, every node's state).
            var report = await scheduler.ReadAsync(ct);
            var text = report is null ? database : database + "\n" + report.Text;
            return Results.Text(text, Text, statusCode: healthy && report?.Healthy != false ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });

        return app;
    }

    private static async Task<IResult> PageAsync(HttpContext http, DashboardPage page, DashboardReader reader, IAntiforgery antiforgery, CancellationToken ct)
    {
        var view = await reader.ReadPageAsync(page, ct);
        (string, string)? form = null;
        if (page.Sections.Contains(PageSection.Alerts))
        {
            var tokens = antiforgery.GetAndStoreTokens(http);
            form = (tokens.FormFieldName, tokens.RequestToken!);
        }

        Secure(http);
        return Results.Text(DashboardHtml.Render(view, RenderContext.Live(form)), Html);
    }

    private static void Secure(HttpContext http)
    {
        http.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.XContentTypeOptions = "nosniff";
    }

    private static async Task<IResult> ChartAsync(
        string slug, string panel, string? currency, string? theme, HttpContext http, DashboardReader reader, CancellationToken ct)
    {
        if (reader.Catalog.Find(slug) is not { } page)
            return Results.Text($"No dashboard page '{slug}'.", Text, statusCode: StatusCodes.Status404NotFound);

        if (!int.TryParse(panel, NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index >= page.Panels.Count)
            return BadRequest($"Panel '{panel}' is not a panel of '{slug}': use 0 to {page.Panels.Count - 1}.");

        var definition = page.Panels[index];
        if (definition.Kind is not (PanelKind.Line or PanelKind.StackedBar))
            return BadRequest($"Panel {index} of '{slug}' is a {definition.Kind.ToWire()} and has no chart.");
        if (!TryTheme(theme, out var dark, out var themeError))
            return themeError;
        if (!TryCurrency(currency, out var parsed, out var currencyError))
            return currencyError;
        if (definition.Metric == PanelMetric.Cost && parsed is null)
            return BadRequest($"Panel {index} of '{slug}' shows cost: add ?currency= ({string.Join(", ", Enum.GetNames<Currency>())}); currencies are never added together.");

        var chart = await reader.ReadChartAsync(definition, parsed, ct);
        http.Response.Headers.CacheControl = "no-cache";
        return Results.Bytes(DashboardCharts.RenderPng(chart, dark: dark), "image/png");
    }

    private static async Task<IResult> DrillAsync(HttpContext http, DashboardReader reader, DashboardRepository repository, CancellationToken ct)
    {
        var (request, error) = await ParseDrillAsync(http.Request.Query, reader, repository, ct);
        if (request is null)
            return error!;
        var (filter, from, to) = request.Value;
        var rows = await repository.DrillRowsAsync(filter, from, to, ct);

        var format = http.Request.Query["format"].ToString();
        if (format == "csv")
            return Results.Stream(stream => WriteCsvAsync(stream, rows, ct), "text/csv; charset=utf-8", $"{filter.Dimension}-{Day(from)}-{Day(to.AddDays(-1))}.csv");
        if (format.Length > 0)
            return BadRequest($"format: '{format}' is not csv (leave it out for the page).");

        var view = new DrillView
        {
            Filter = filter, From = from, To = to, Now = reader.Now, Navigation = reader.Catalog.Pages,
            ChartCurrencies = await reader.DrillCurrenciesAsync(filter, from, to, ct),
            Rows = [.. rows.Take(DrillView.MaxRows)], TotalRows = rows.Count,
        };
        var query = $"{filter.Dimension}={Uri.EscapeDataString(filter.Value)}&from={Day(from)}&to={Day(to.AddDays(-1))}";
        Secure(http);
        return Results.Text(
            DashboardHtml.RenderDrill(view, RenderContext.Live(null), currency => $"/drill/chart.png?{query}&currency={Uri.EscapeDataString(currency)}", $"/drill?{query}&format=csv"),
            Html);
    }

    private static async Task<IResult> DrillChartAsync(HttpContext http, DashboardReader reader, DashboardRepository repository, CancellationToken ct)
    {
        var (request, error) = await ParseDrillAsync(http.Request.Query, reader, repository, ct);
        if (request is null)
            return error!;
        var query = http.Request.Query;
        if (!TryTheme(query["theme"], out var dark, out var themeError))
            return themeError;
        if (!TryCurrency(query["currency"], out var currency, out var currencyError))
            return currencyError;
        if (currency is null)
            return BadRequest($"currency: required ({string.Join(", ", Enum.GetNames<Currency>())}); currencies are never added together.");
        var (filter, from, to) = request.Value;
        var chart = await reader.ReadDrillChartAsync(filter, from, to, currency.Value, ct);
        http.Response.Headers.CacheControl = "no-cache";
        return Results.Bytes(DashboardCharts.RenderPng(chart, dark: dark), "image/png");
    }

    /// <summary>Exactly one of account, key, model (known to the ledger); from and to as yyyy-MM-dd (to inclusive; default the last 30 days).</summary>
    private static async Task<((DrillFilter Filter, DateTimeOffset From, DateTimeOffset To)? Request, IResult? Error)> ParseDrillAsync(
        IQueryCollection query, DashboardReader reader, DashboardRepository repository, CancellationToken ct)
    {
        string? One(string name) => query.TryGetValue(name, out var v) ? v.ToString() : null;
        var (account, key, model) = (One("account"), One("key"), One("model"));
        if (new[] { account, key, model }.Count(v => v is not null) != 1)
            return (null, BadRequest("Give exactly one of account=, key= or model=."));
        var filter = new DrillFilter(account, key, model);
        if (filter.Value.Length is 0 or > 300)
            return (null, BadRequest($"{filter.Dimension}: must be a name of 1 to 300 characters."));

        var today = reader.Now.UtcDateTime.Date;
        if (!TryDay(One("to"), today, "to", out var last, out var error) || !TryDay(One("from"), last.UtcDateTime.AddDays(-29), "from", out var first, out error))
            return (null, error);
        if (first > last)
            return (null, BadRequest($"from: {Day(first)} is after to: {Day(last)}."));
        if ((last - first).TotalDays >= MaxDrillDays)
            return (null, BadRequest($"from, to: at most {MaxDrillDays} days at once."));
        if (!await repository.ExistsAsync(filter, ct))
            return (null, BadRequest($"{filter.Dimension}: '{filter.Value}' has no usage in the ledger."));
        return ((filter, first, last.AddDays(1)), null);
    }

    private static bool TryDay(string? text, DateTime fallback, string name, out DateTimeOffset day, out IResult? error)
    {
        error = null;
        if (string.IsNullOrEmpty(text))
        {
            day = new DateTimeOffset(fallback, TimeSpan.Zero);
            return true;
        }

        if (DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
        {
            day = new DateTimeOffset(parsed, TimeSpan.Zero);
            return true;
        }

        day = default;
        error = BadRequest($"{name}: '{text}' is not a date (yyyy-MM-dd).");
        return false;
    }

    private static bool TryTheme(string? theme, out bool dark, out IResult error)
    {
        dark = theme == "dark";
        error = BadRequest($"theme: '{theme}' is not light or dark.");
        return theme is null or "" or "light" or "dark";
    }

    private static bool TryCurrency(string? text, out Currency? currency, out IResult error)
    {
        currency = null;
        error = BadRequest($"currency: '{text}' is not one of {string.Join(", ", Enum.GetNames<Currency>())}.");
        if (string.IsNullOrEmpty(text))
            return true;
        if (!Currencies.TryParse(text, out var c) || text != c.ToString())
            return false;
        currency = c;
        return true;
    }

    private static async Task WriteCsvAsync(Stream stream, IReadOnlyList<DrillRow> rows, CancellationToken ct)
    {
        await using var writer = new StreamWriter(stream, leaveOpen: true);
        await TableWriter.WriteAsync(writer, ExportFormat.Csv,
            ["day", "account", "model", "key_id", "key_name", "currency", "cost", "unpriced_buckets", "requests", "tokens"],
            CsvRows(rows), ct);
    }

    // TableWriter neutralises text cells that a spreadsheet would run as a formula (= + - @).
#pragma warning disable CS1998 // an in-memory list as the async rows TableWriter takes
    private static async IAsyncEnumerable<object?[]> CsvRows(IReadOnlyList<DrillRow> rows)
#pragma warning restore CS1998
    {
        foreach (var r in rows)
        {
            yield return
            [
                Day(DateTimeOffset.FromUnixTimeSeconds(r.Day)), r.Account, r.Model, r.KeyId, r.KeyName, r.Currency,
                r.UnpricedBuckets > 0 && r.CostMicros == 0 ? null : MoneyUnits.FromMicros(r.CostMicros), r.UnpricedBuckets, r.Requests, r.Tokens,
            ];
        }
    }

    private static async Task<IResult> AlertPageAsync(
        long id, HttpContext http, AlertRepository alerts, DashboardReader reader, IAntiforgery antiforgery, ComponentHtmlRenderer components,
        CancellationToken ct)
    {
        if (await alerts.GetAsync(id, ct) is not { } alert)
            return NoAlert(id);
        var tokens = antiforgery.GetAndStoreTokens(http);
        var html = await components.RenderAsync<AlertPage>(new Dictionary<string, object?>
        {
            [nameof(AlertPage.Alert)] = alert,
            [nameof(AlertPage.Navigation)] = reader.Catalog.Pages,
            [nameof(AlertPage.Now)] = reader.Now,
            [nameof(AlertPage.Form)] = ((string, string)?)(tokens.FormFieldName, tokens.RequestToken!),
        });
        Secure(http);
        return Results.Text(html, Html);
    }

    private static async Task<IResult> AlertChartAsync(long id, HttpContext http, AlertRepository alerts, CancellationToken ct)
    {
        if (await alerts.GetAsync(id, ct) is not { Evidence.Chart: { } chart })
            return Results.Text($"No chart for alert {id}.", Text, statusCode: StatusCodes.Status404NotFound);
        http.Response.Headers.CacheControl = "no-cache";
        return Results.Bytes(AlertChartRenderer.RenderPng(chart), "image/png");
    }

    private static async Task<IResult> AcknowledgeAsync(
        string id, HttpContext http, IAntiforgery antiforgery, AlertHandling alerts, CancellationToken ct)
    {
        if (await ValidateFormAsync(http, antiforgery, id) is { } error)
            return error.Result;
        var form = await http.Request.ReadFormAsync(ct);
        var note = form["note"].ToString();
        return await alerts.SetStatusAsync(long.Parse(id, CultureInfo.InvariantCulture), AlertStatus.Acknowledged,
            note.Length == 0 ? "acknowledged on the dashboard" : note, ct)
            ? Results.Redirect("/#alerts", preserveMethod: false)
            : NoAlert(id);
    }

    private static async Task<IResult> MuteAsync(
        string id, HttpContext http, IAntiforgery antiforgery, AlertHandling alerts, TimeProvider clock, CancellationToken ct)
    {
        if (await ValidateFormAsync(http, antiforgery, id) is { } error)
            return error.Result;
        var form = await http.Request.ReadFormAsync(ct);
        var now = clock.GetUtcNow();
        var untilText = form["until"].ToString();
        if (!DateTime.TryParseExact(untilText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var untilDay))
            return BadRequest($"until: '{untilText}' is not a date (yyyy-MM-dd).");
        var until = new DateTimeOffset(untilDay, TimeSpan.Zero).AddDays(1); // through the end of that day (UTC)
        if (until <= now)
            return BadRequest($"until: {untilText} has passed; a mute covers planned activity ahead.");
        var reason = form["reason"].ToString().Trim();
        if (reason.Length is 0 or > 500)
            return BadRequest("reason: required, at most 500 characters.");
        return await alerts.MuteAsync(long.Parse(id, CultureInfo.InvariantCulture), until, reason, ct) is not null
            ? Results.Redirect("/#alerts", preserveMethod: false)
            : NoAlert(id);
    }

    private sealed record FormError(IResult Result);

    private static async Task<FormError?> ValidateFormAsync(HttpContext http, IAntiforgery antiforgery, string id)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            return new FormError(BadRequest($"'{id}' is not an alert id."));
        if (!http.Request.HasFormContentType)
            return new FormError(BadRequest("Post the dashboard's form."));
        try
        {
            await antiforgery.ValidateRequestAsync(http);
            return null;
        }
        catch (AntiforgeryValidationException)
        {
            return new FormError(BadRequest("The form's antiforgery token is missing or invalid: reload the page and try again."));
        }
    }

    private static string Day(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static IResult NoAlert(object id) => Results.Text($"No alert {id}.", Text, statusCode: StatusCodes.Status404NotFound);

    private static IResult BadRequest(string message) => Results.Text(message, Text, statusCode: StatusCodes.Status400BadRequest);
}
