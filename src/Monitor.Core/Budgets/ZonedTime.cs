namespace Monitor.Core.Budgets;

/// <summary>Wall-clock times in an IANA zone to instants, DST-correct.</summary>
public static class ZonedTime
{
    /// <summary>
    /// The instant a local wall-clock time names. A time skipped by a spring-forward change moves to the first valid
    /// time after it (midnight in a zone that skips 00:00-01:00 becomes 01:00); a time repeated by a fall-back change
    /// is its first occurrence.
    /// </summary>
    public static DateTimeOffset ToUtc(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
            local = local.AddMinutes(15);
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    /// <summary>The local wall-clock time (kind Unspecified) of an instant.</summary>
    public static DateTime ToLocal(DateTimeOffset instant, TimeZoneInfo zone) =>
        DateTime.SpecifyKind(TimeZoneInfo.ConvertTime(instant, zone).DateTime, DateTimeKind.Unspecified);
}
