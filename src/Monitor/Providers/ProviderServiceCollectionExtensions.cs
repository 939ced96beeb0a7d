using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Monitor.Hosting;

namespace Monitor.Providers;

public static class ProviderServiceCollectionExtensions
{
    /// <summary>
    /// One HTTP client for all providers with the standard resilience handler: retries with jittered backoff on 5xx,
    /// 408 and timeouts, <c>Retry-After</c> honoured on 429, per-attempt and total timeouts. Pipelines are kept per
    /// host, so one provider's failures never open the circuit for another.
    /// </summary>
    public static IServiceCollection AddMonitorProviders(this IServiceCollection services)
    {
        services.AddHttpClient(ConnectorFactory.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .AddStandardResilienceHandler()
            .SelectPipelineByAuthority()
            .Configure((HttpStandardResilienceOptions o, IServiceProvider sp) =>
            {
                var pull = sp.GetRequiredService<IOptions<MonitorOptions>>().Value.Pull;
                o.AttemptTimeout.Timeout = pull.AttemptTimeout;
                o.TotalRequestTimeout.Timeout = pull.AttemptTimeout * 4 + TimeSpan.FromSeconds(60);
                o.CircuitBreaker.SamplingDuration = pull.AttemptTimeout * 2 + TimeSpan.FromSeconds(1);
                o.Retry.MaxRetryAttempts = 3;
                o.Retry.Delay = pull.RetryBaseDelay;
                o.Retry.ShouldRetryAfterHeader = true;
            });
        services.AddSingleton<ConnectorFactory>();
        return services;
    }
}
