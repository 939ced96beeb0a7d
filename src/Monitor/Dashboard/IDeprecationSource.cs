namespace Monitor.Dashboard;

/// <summary>Models in use that the provider retires soon; resolved as <c>IEnumerable</c>: none registered means nothing configured.</summary>
public interface IDeprecationSource
{
    Task<IReadOnlyList<DeprecationDue>> DeprecationsAsync(DateTimeOffset now, CancellationToken ct);
}
