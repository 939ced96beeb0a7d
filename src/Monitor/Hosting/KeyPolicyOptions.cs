namespace Monitor.Hosting;

/// <summary>A key policy rule: set one or more of Provider (a Kind), Account, KeyId; unset durations inherit.</summary>
public sealed class KeyPolicyOptions
{
    public string? Provider { get; set; }
    public string? Account { get; set; }
    public string? KeyId { get; set; }
    public TimeSpan? MaxAge { get; set; }
    public TimeSpan? UnusedAfter { get; set; }
}
