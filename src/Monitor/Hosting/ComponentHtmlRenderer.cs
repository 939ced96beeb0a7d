using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Logging.Abstractions;

namespace Monitor.Hosting;

/// <summary>
/// Renders a Razor component to an HTML string with the framework's <see cref="HtmlRenderer"/>, which encodes every
/// value: mail bodies and dashboard pages. A fresh renderer per call, because a renderer keeps every component it
/// rendered until it is disposed.
/// </summary>
public sealed class ComponentHtmlRenderer(IServiceProvider services, ILoggerFactory loggers)
{
    private static readonly ServiceProvider NoServices = new ServiceCollection().BuildServiceProvider();

    /// <summary>A renderer without the host's services (the components take everything as parameters): for unit tests.</summary>
    public static ComponentHtmlRenderer Standalone() => new(NoServices, NullLoggerFactory.Instance);

    public async Task<string> RenderAsync<TComponent>(IDictionary<string, object?> parameters) where TComponent : IComponent
    {
        await using var renderer = new HtmlRenderer(services, loggers);
        return await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters))).ToHtmlString());
    }
}
