namespace Monitor.Core.Anomalies;

/// <summary>
/// How one series is scored, in steps of the series (an hour, a day, five minutes). <see cref="ForStep"/> derives
/// everything from the step: seasonality by hour of week for hourly series, day of week for daily ones, hour... of day
/// for sub-hourly ones, none when the step is unknown. Thresholds are in robust standard deviations or ratios.
/// </summary>
public sealed record DetectorSettings
{
    /// <summary>Seasonal slots: 168 for hourly (hour of week), 7 for daily, steps per day for sub-hourly, 1 for none.</summary>
    public required int Period { get; init; }

    /// <summary>Steps per day for the hour-of-day activity profile (silent hours); 0 when a step is a day or longer.</summary>
    public required int StepsPerDay { get; init; }

    /// <summary>Points learned before the first score: a series cannot alert before it has a baseline.</summary>
    public required int WarmUp { get; init; }

    /// <summary>Half-life in steps of the fast level (spikes are measured against it; a launch is absorbed at this pace).</summary>
    public required int FastHalfLife { get; init; }

    /// <summary>Half-life in steps of the slow level (a ramp is the fast level drifting away from it).</summary>
    public required int SlowHalfLife { get; init; }

    /// <summary>Consecutive anomalous steps after which the new level is accepted as normal (a level shift).</summary>
    public required int AcceptAfter { get; init; }

    /// <summary>Robust z above the baseline at which the spike score is 0.5.</summary>
    public double SpikeZ { get; init; } = 5;

    /// <summary>
    /// Observed over expected total of the last <see cref="RampWindow"/> steps, against the slow baseline, at which the
    /// ramp score is 0.5 (low-and-slow growth).
    /// </summary>
    public double RampRatio { get; init; } = 1.7;

    /// <summary>Steps summed for the ramp ratio: a day of hours (a sum is far steadier than any one step), 3 days of days.</summary>
    public required int RampWindow { get; init; }

    /// <summary>CUSUM allowance (in robust z) and the decision level at which the shift score is 0.5.</summary>
    public double CusumAllowance { get; init; } = 1;

    public double CusumLevel { get; init; } = 15;

    /// <summary>The step in seconds (0 when unknown): an hour or a day gives the detector a <see cref="RecurrenceMemory"/>.</summary>
    public long StepSeconds { get; init; }

    public static DetectorSettings ForStep(TimeSpan step)
    {
        var seconds = (long)step.TotalSeconds;
        if (seconds > 0 && seconds < 86_400 && 86_400 % seconds == 0)
        {
            var perDay = (int)(86_400 / seconds);
            // Up to hourly: hour of week (weekdays differ from weekends); finer: time of day (a week of 5-minute slots
            // would need weeks to learn).
            var period = perDay <= 24 ? perDay * 7 : Math.Min(perDay, 1440);
            return new DetectorSettings
            {
                Period = period, StepsPerDay = perDay, StepSeconds = seconds, WarmUp = Math.Max(period, 24),
                FastHalfLife = perDay, SlowHalfLife = perDay * 14, AcceptAfter = Math.Max(6, perDay), RampWindow = perDay,
            };
        }

        if (seconds == 86_400)
        {
            return new DetectorSettings
            {
                Period = 7, StepsPerDay = 0, StepSeconds = seconds, WarmUp = 21, FastHalfLife = 3, SlowHalfLife = 28, AcceptAfter = 3, RampWindow = 3,
            };
        }

        return new DetectorSettings
        {
            Period = 1, StepsPerDay = 0, WarmUp = 30, FastHalfLife = 12, SlowHalfLife = 96, AcceptAfter = 12, RampWindow = 12,
        };
    }
}
