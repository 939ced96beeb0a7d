using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Monitor.Hosting;
using Polly;

namespace Monitor.Providers;

public static class ProviderServiceCollectionExtensions
{
    /// <summary>
    /// One HTTP client for all providers with the standard resilience strategies, in the standard order: a total
    /// timeout, retries with jittered exponential backoff on 5xx, 408 and timeouts (a 429's <c>Retry-After</c> wins),
    /// a circuit breaker, and a per-attempt timeout. Pipelines are kept per host, so one provider's failures never open
    /// the circuit for another. Waits run on the system clock: the injected TimeProvider is the domain's "now", which
    /// tests freeze, and a frozen clock must not freeze a retry.
    /// </summary>
    public static IServiceCollection AddMonitorProviders(this IServiceCollection services)
    {
        services.AddHttpClient(ConnectorFactory.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler("providers", (builder, context) =>
            {
                var pull = context.ServiceProvider.GetRequiredService<IOptions<MonitorOptions>>().Value.Pull;
                builder.TimeProvider = TimeProvider.System;
                builder
                    .AddTimeout(new HttpTimeoutStrategyOptions { Timeout = pull.AttemptTimeout * 4 + TimeSpan.FromSeconds(60) })
                    .AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = 3,
                        Delay = pull.RetryBaseDelay,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        ShouldRetryAfterHeader = true,
                    })
                    .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions { SamplingDuration = pull.AttemptTimeout * 2 + TimeSpan.FromSeconds(1) })
                    .AddTimeout(new HttpTimeoutStrategyOptions { Timeout = pull.AttemptTimeout });
            })
            .SelectPipelineByAuthority();
        services.AddSingleton<ConnectorFactory>();
        return services;
    }
}
