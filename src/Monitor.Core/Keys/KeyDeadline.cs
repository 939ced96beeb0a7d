using Monitor.Core.Alerts;
using Monitor.Core.Deprecations;

namespace Monitor.Core.Keys;

/// <summary>
/// A key due for something: rotation by age (<see cref="AlertKind.KeyRotation"/>), expiry (<see cref="AlertKind.KeyExpiry"/>)
/// or deletion because unused (<see cref="AlertKind.KeyUnused"/>). <see cref="Step"/> is the reminder step of a rotation
/// or expiry (null for an unused key); <see cref="Reason"/> says why in a few words.
/// </summary>
public sealed record KeyDeadline(KeyState Key, AlertKind Kind, DateTimeOffset DueAt, Milestone? Step, string Reason)
{
    /// <summary>Whole UTC days from now's day to the due day (negative once past).</summary>
    public int DaysLeft(DateTimeOffset now) => Milestones.DaysLeft(DueAt, now);
}
