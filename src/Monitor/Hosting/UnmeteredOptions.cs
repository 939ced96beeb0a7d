using Monitor.Core.Usage;

namespace Monitor.Hosting;

/// <summary>
/// The <c>unmetered_usage</c> alert (<c>Monitor:Alerts:Unmetered</c>): for accounts seen through both the provider's usage
/// API and the metering proxy, provider-reported usage the proxy did not meter on a completed UTC day. Defaults live in
/// appsettings.json.
/// </summary>
public sealed class UnmeteredOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>A day alerts only when this much went around the proxy (in the account's currency, when compared by cost)...</summary>
    public decimal MinAmountPerDay { get; set; } = 1m;

    /// <summary>...or this many tokens (when a side has unpriced usage or another currency and the day is compared by tokens)...</summary>
    public long MinTokensPerDay { get; set; } = 100_000;

    /// <summary>...and at least this percentage of what the provider reported for the day.</summary>
    public decimal MinShare { get; set; } = 10;

    /// <summary>Differences below this percentage of the provider's figure are timing (a call booked on the next day) and shown as none.</summary>
    public decimal Tolerance { get; set; } = 2;

    /// <summary>A day is compared once this long has passed since it ended, by the clock and by the account's last pull (the provider's day closes late).</summary>
    public TimeSpan SettleDelay { get; set; } = TimeSpan.FromHours(4);

    /// <summary>How many completed days each check compares (each alerts at most once).</summary>
    public int LookBackDays { get; set; } = 7;

    public UnmeteredRules ToRules() => new()
    {
        MinAmountPerDay = MinAmountPerDay, MinTokensPerDay = MinTokensPerDay, MinSharePercent = MinShare, TolerancePercent = Tolerance,
    };
}
