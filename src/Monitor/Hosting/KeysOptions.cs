namespace Monitor.Hosting;

/// <summary>Key rotation policy, declared keys and rotation observation. Defaults live in appsettings.json.</summary>
public sealed class KeysOptions
{
    /// <summary>Rotate a key before it is this old (0: no limit).</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(90);

    /// <summary>A key not used for this long is reported as unused (0: never).</summary>
    public TimeSpan UnusedAfter { get; set; } = TimeSpan.FromDays(45);

    /// <summary>After a new key appears beside an old one, the old one should be silent within this time.</summary>
    public TimeSpan RotationGrace { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Per provider, account or key: MaxAge and UnusedAfter overrides (the most specific rule wins).</summary>
    public List<KeyPolicyOptions> Policies { get; set; } = [];

    /// <summary>Keys of providers without a key listing, declared by hand.</summary>
    public List<DeclaredKeyOptions> Declared { get; set; } = [];
}
