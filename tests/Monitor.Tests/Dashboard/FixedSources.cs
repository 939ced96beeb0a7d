using Monitor.Dashboard;

namespace Monitor.Tests.Dashboard;

/// <summary>Test doubles for the panel data sources the other issues provide: fixed rows.</summary>
internal sealed class FixedSources(DateTimeOffset now) : IBudgetGaugeSource, IDeprecationSource, IKeyRotationSource
{
    public const string BudgetName = "team-platform monthly";
    public const string DeprecatedModel = "mistral-old-2407";
    public const string DueKeyId = "key-rotate-me";

    public Task<IReadOnlyList<BudgetGauge>> GaugesAsync(DateTimeOffset at, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<BudgetGauge>>(
        [
            new BudgetGauge(BudgetName, "EUR", 1000m, 820m, 1300m, [50m, 80m, 100m], new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero),
                new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1)),
        ]);

    public Task<IReadOnlyList<DeprecationDue>> DeprecationsAsync(DateTimeOffset at, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<DeprecationDue>>(
            [new DeprecationDue("demo-mistral", DeprecatedModel, now.AddDays(12), 12, "mistral-medium-latest", 42.5m, "EUR", ["key-a", "key-b"])]);

    public Task<IReadOnlyList<KeyDue>> KeysDueAsync(DateTimeOffset at, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<KeyDue>>(
            [new KeyDue("demo-openai", DueKeyId, "ci runner", "a1b2c3d4e5f6…wxyz", "ops", now.AddDays(-200), now.AddDays(-10), -10, "older than 180 days")]);
}
