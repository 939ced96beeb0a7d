using Monitor.Storage;

namespace Monitor.Dashboard;

/// <summary>A group's month-to-date cost in one currency and its linear projection to the end of the month (micro-units).</summary>
public sealed record ForecastRow
{
    public required GroupTotal Total { get; init; }
    public required long ForecastMicros { get; init; }
}
