namespace Monitor.Storage;

/// <summary>The ledger's figures that <c>/metrics</c> exposes (see <see cref="MetricsRepository"/>); money in micro-units, times in Unix seconds.</summary>
public sealed record MonitorFigures(
    IReadOnlyList<(string Account, string Currency, long Micros)> Spend,
    IReadOnlyList<(string Account, string Outcome, long Count)> Pulls,
    IReadOnlyList<(string Account, long At)> LastSuccess,
    IReadOnlyList<(string Kind, string Severity, long Count)> OpenAlerts,
    IReadOnlyList<ChannelOutboxStatus> Outbox);
