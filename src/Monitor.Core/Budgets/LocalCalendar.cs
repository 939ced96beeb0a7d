namespace Monitor.Core.Budgets;

/// <summary>
/// The local wall-clock time of whole UTC hours in one zone, remembered: converting is costly, and a check over many
/// budgets in the same zone asks for the same hours again and again. Not thread-safe; one per evaluation.
/// </summary>
public sealed class LocalCalendar(TimeZoneInfo zone)
{
    private readonly Dictionary<long, DateTime> _hours = [];

    public TimeZoneInfo Zone { get; } = zone;

    /// <summary>The local time of the UTC hour starting at <paramref name="hourStart"/> (a whole hour).</summary>
    public DateTime Local(DateTimeOffset hourStart)
    {
        var key = hourStart.ToUnixTimeSeconds() / 3600;
        if (!_hours.TryGetValue(key, out var local))
            _hours[key] = local = ZonedTime.ToLocal(hourStart, Zone);
        return local;
    }
}
