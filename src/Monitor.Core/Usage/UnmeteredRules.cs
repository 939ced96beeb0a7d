namespace Monitor.Core.Usage;

/// <summary>
/// When provider-reported usage that the proxy did not meter is worth an alert (<c>Monitor:Alerts:Unmetered</c>): a
/// day's unmetered amount must reach <see cref="MinAmountPerDay"/> (compared by cost) or <see cref="MinTokensPerDay"/>
/// (compared by tokens) and <see cref="MinSharePercent"/> of what the provider reported. Differences below
/// <see cref="TolerancePercent"/> are timing (a call at 23:59:59 booked on the next day) and shown as none.
/// </summary>
public sealed record UnmeteredRules
{
    public decimal MinAmountPerDay { get; init; } = 1m;
    public long MinTokensPerDay { get; init; } = 100_000;
    public decimal MinSharePercent { get; init; } = 10m;
    public decimal TolerancePercent { get; init; } = 2m;
}
