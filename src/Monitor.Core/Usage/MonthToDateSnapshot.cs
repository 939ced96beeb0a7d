namespace Monitor.Core.Usage;

/// <summary>
/// One poll of a month-to-date counter (Mistral's usage rows that carry no date): the totals of one workspace and model since the
/// month began, as the provider reported them at <see cref="TakenAt"/>. Money is in micro-units.
/// </summary>
public sealed record MonthToDateSnapshot
{
    /// <summary>First instant of the month (UTC).</summary>
    public required DateTimeOffset Month { get; init; }

    public required DateTimeOffset TakenAt { get; init; }
    public TokenCounts Tokens { get; init; }
    public long Requests { get; init; }

    /// <summary>Month-to-date billed units that are not tokens (pages, seconds, ...), 0 when none.</summary>
    public long Units { get; init; }

    /// <summary>Reported month-to-date cost, or null when the provider gave none.</summary>
    public long? CostMicros { get; init; }

    /// <summary>Catalog estimate of the month-to-date tokens, or null when unpriced.</summary>
    public long? EstimatedMicros { get; init; }

    /// <summary>True when nothing differs from <paramref name="other"/> but the time.</summary>
    public bool SameCounts(MonthToDateSnapshot other) =>
        Tokens == other.Tokens && Requests == other.Requests && Units == other.Units && CostMicros == other.CostMicros && EstimatedMicros == other.EstimatedMicros;
}
