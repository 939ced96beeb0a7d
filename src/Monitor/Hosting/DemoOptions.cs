namespace Monitor.Hosting;

/// <summary>Settings of <c>monitor demo</c>: its own ledger file, so a demo never mixes with real data.</summary>
public sealed class DemoOptions
{
    public string Path { get; set; } = "data/demo.db";
    public int Days { get; set; } = 90;
    public int Seed { get; set; } = 42;
}
