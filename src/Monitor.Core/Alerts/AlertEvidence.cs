namespace Monitor.Core.Alerts;

/// <summary>What an alert shows beyond its title: facts, breakdowns (top models, keys, hours), a runbook and a chart.</summary>
public sealed record AlertEvidence
{
    public static AlertEvidence None { get; } = new();

    public IReadOnlyList<AlertFact> Facts { get; init; } = [];

    /// <summary>The money behind the alert as numbers with their currency (spent, budget, at stake), for machines: webhooks, exports.</summary>
    public IReadOnlyList<AlertAmount> Amounts { get; init; } = [];
    public IReadOnlyList<AlertBreakdown> Breakdowns { get; init; } = [];

    /// <summary>Steps to take, in order.</summary>
    public IReadOnlyList<string> Runbook { get; init; } = [];

    public AlertChart? Chart { get; init; }
}

/// <summary>One labelled number or value, already formatted (money with its currency, invariant culture).</summary>
public sealed record AlertFact(string Label, string Value);

/// <summary>A small table: "Top models", "Top keys", "Hours" with one formatted value per row.</summary>
public sealed record AlertBreakdown(string Title, IReadOnlyList<AlertFact> Rows);

/// <summary>One amount of money an alert is about: "spent", "budget", "forecast", "at_stake", in the provider's currency.</summary>
public sealed record AlertAmount(string Name, decimal Amount, string Currency);
