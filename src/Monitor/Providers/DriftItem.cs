namespace Monitor.Providers;

/// <summary>One drift a pull saw: where, which field, and what was unexpected about it.</summary>
public sealed record DriftItem(string Endpoint, string Path, string Problem)
{
    public override string ToString() => $"{Endpoint} {Path}: {Problem}";
}
