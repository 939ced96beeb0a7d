namespace Monitor.Ledger.Focus;

/// <summary>One column of the FOCUS export: its column ID, its data type and how a charge fills it.</summary>
public sealed record FocusColumn(string Name, FocusDataType Type, Func<FocusCharge, object?> Value);
