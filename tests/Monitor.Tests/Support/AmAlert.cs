namespace Monitor.Tests.Support;

/// <summary>
/// One alert as Alertmanager's <c>GET /api/v2/alerts</c> lists it. <see cref="State"/> is <c>status.state</c>:
/// <c>active</c>, <c>suppressed</c> (silenced or inhibited) or <c>unprocessed</c>. Alertmanager drops labels with an
/// empty value, and sets <see cref="EndsAt"/> to receipt + <c>resolve_timeout</c> when the sender gave none.
/// </summary>
public sealed record AmAlert(
    string Fingerprint,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    DateTimeOffset UpdatedAt,
    string State,
    string? GeneratorUrl);
