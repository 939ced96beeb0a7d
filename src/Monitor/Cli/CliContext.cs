using Microsoft.Extensions.Logging.Console;
using Monitor.Hosting;

namespace Monitor.Cli;

/// <summary>
/// What a non-serving verb runs on: the validated configuration and a service provider with the core services,
/// the database migrated and each account's counted usage source recorded. Logs go to standard error, so exports on standard output stay clean.
/// </summary>
public sealed class CliContext : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private CliContext(ServiceProvider services, MonitorOptions options)
    {
        _services = services;
        Options = options;
    }

    public MonitorOptions Options { get; }

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public static async Task<CliContext> StartAsync(string? configFile, CancellationToken ct, Action<MonitorOptions>? adjust = null)
    {
        var configuration = MonitorSettings.Build(configFile);
        var options = MonitorSettings.Bind(configuration);
        adjust?.Invoke(options);
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging(l => l
                .AddConfiguration(configuration.GetSection("Logging"))
                .AddSimpleConsole(o => o.SingleLine = true)
                .AddFilter("Monitor", LogLevel.Warning)
                .Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace))
            .AddMonitorCore(configuration, adjust)
            .BuildServiceProvider();
        await LedgerStartup.PrepareAsync(services, ct);
        return new CliContext(services, options);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
