namespace Monitor.Core.Usage;

/// <summary>
/// One account's completed UTC day seen through both sources: what the provider reported, what the proxy metered, and
/// the difference (usage from keys or places that do not go through the proxy), in <see cref="Measure"/>'s unit:
/// micro-units of <see cref="Currency"/> for cost, tokens otherwise.
/// </summary>
public sealed record UnmeteredDay
{
    public required string Account { get; init; }

    /// <summary>00:00 UTC of the day.</summary>
    public required DateTimeOffset Day { get; init; }

    public required UnmeteredMeasure Measure { get; init; }

    /// <summary>The currency of a cost comparison; null for tokens.</summary>
    public string? Currency { get; init; }

    public required long Reported { get; init; }
    public required long Metered { get; init; }

    /// <summary>Reported less metered, never below zero; zero within the tolerance.</summary>
    public required long Unmetered { get; init; }

    /// <summary>Unmetered as a percentage of reported (0 when nothing was reported).</summary>
    public required decimal SharePercent { get; init; }

    /// <summary>True when the unmetered usage reaches the alert thresholds.</summary>
    public required bool Exceeds { get; init; }

    /// <summary>Per model, largest gap first.</summary>
    public required IReadOnlyList<UnmeteredLine> Lines { get; init; }

    /// <summary>Keys the provider reports that the proxy never saw that day, largest first (empty where the provider has no key split).</summary>
    public required IReadOnlyList<UnmeteredKey> Keys { get; init; }
}
