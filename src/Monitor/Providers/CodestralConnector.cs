using Monitor.Core.Pricing;
using Monitor.Hosting;

namespace Monitor.Providers;

/// <summary>
/// Mistral's Codestral domain (<c>https://codestral.mistral.ai</c>, or <c>.../v1</c> as pasted) with its own key: the model
/// list (the same cards as Mistral's) checks the key and lists the models with their deprecations. The domain has no
/// usage or billing endpoint (Codestral usage is billed through the Mistral organisation), so no usage windows are pulled here.
/// </summary>
public sealed class CodestralConnector(ProviderHttp http) : IProviderConnector
{
    public ProviderOptions Account => http.Account;

    public DriftLog Drift => http.Drift;

    public IReadOnlyList<(DateTimeOffset From, DateTimeOffset To)> Chunk(DateTimeOffset from, DateTimeOffset to, TimeSpan chunk) => [];

    public Task<UsagePull> PullUsageAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        throw new NotSupportedException(
            $"{Account.Name}: the Codestral domain has no usage endpoint; its usage is pulled with the Mistral organisation account");

    public async Task<InventoryPull> PullInventoryAsync(CancellationToken ct) =>
        new(null, await MistralConnector.ModelsAsync(http, ct), null);
}
