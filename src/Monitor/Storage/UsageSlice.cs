using Monitor.Core.Pricing;
using Monitor.Core.Usage;

namespace Monitor.Storage;

/// <summary>Usage of one model by one workspace and key of an account over a window, summed.</summary>
public sealed record UsageSlice
{
    public required string Account { get; init; }
    public required string Provider { get; init; }
    public required string Currency { get; init; }
    public required string Model { get; init; }
    public required string Workspace { get; init; }
    public required string KeyId { get; init; }
    public string? KeyName { get; init; }
    public long Input { get; init; }
    public long CachedInput { get; init; }
    public long CacheWrite { get; init; }
    public long Output { get; init; }
    public long Requests { get; init; }
    public long CostMicros { get; init; }
    public long LastBucket { get; init; }

    public TokenCounts Tokens => new(Input, CachedInput, CacheWrite, Output, 0);
    public decimal Cost => MoneyUnits.FromMicros(CostMicros);
    public ProviderKind ProviderKind => ProviderKinds.TryParse(Provider, out var p) ? p : ProviderKind.OpenAICompatible;
    public Currency CurrencyOf => Currencies.TryParse(Currency, out var c) ? c : Core.Pricing.Currency.USD;
}
