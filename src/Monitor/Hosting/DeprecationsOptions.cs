namespace Monitor.Hosting;

/// <summary>Deprecation warnings and alias tracking. Defaults live in appsettings.json.</summary>
public sealed class DeprecationsOptions
{
    /// <summary>A lifecycle file of the shipped shape; its entries win over the shipped file and the providers' lists.</summary>
    public string LifecycleFile { get; set; } = "";

    /// <summary>Only models called within this many days alert (usage weighting).</summary>
    public int UsedWithinDays { get; set; } = 30;

    /// <summary>
    /// A regular expression (case-insensitive) matched against a key's name, id and workspace: matching keys are
    /// "production" and get the advisory when they call <c>-latest</c> aliases. Empty: every key.
    /// </summary>
    public string ProductionKeys { get; set; } = "prod";
}
