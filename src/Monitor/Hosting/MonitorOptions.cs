namespace Monitor.Hosting;

/// <summary>The whole <c>Monitor</c> configuration section. Defaults live in appsettings.json, not here.</summary>
public sealed class MonitorOptions
{
    public const string Section = "Monitor";

    public StorageOptions Storage { get; set; } = new();
    public List<ProviderOptions> Providers { get; set; } = [];
    public PullOptions Pull { get; set; } = new();
    public PricingOptions Pricing { get; set; } = new();
    public List<BudgetOptions> Budgets { get; set; } = [];
    public AlertsOptions Alerts { get; set; } = new();
    public AnomaliesOptions Anomalies { get; set; } = new();
    public DashboardOptions Dashboard { get; set; } = new();
    public DemoOptions Demo { get; set; } = new();
    public DeprecationsOptions Deprecations { get; set; } = new();
    public KeysOptions Keys { get; set; } = new();
    public ProxyHostOptions Proxy { get; set; } = new();
    public SchedulerOptions Scheduler { get; set; } = new();
}
