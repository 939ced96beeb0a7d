namespace Monitor.Dashboard;

/// <summary>Keys due for rotation or expiring; resolved as <c>IEnumerable</c>: none registered means nothing configured.</summary>
public interface IKeyRotationSource
{
    Task<IReadOnlyList<KeyDue>> KeysDueAsync(DateTimeOffset now, CancellationToken ct);
}
