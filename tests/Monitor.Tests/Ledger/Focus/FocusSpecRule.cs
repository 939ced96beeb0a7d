using Monitor.Ledger.Focus;

namespace Monitor.Tests.Ledger.Focus;

/// <summary>
/// The published rules of one FOCUS column, as the test checks them: whether the dataset must carry it, its data type,
/// whether it allows nulls (on the Usage charges this export writes), its allowed values where the spec lists them, and
/// where the rule is written.
/// </summary>
internal sealed record FocusSpecRule(string Column, FocusDataType Type, bool Required, bool Nullable, string Source, IReadOnlyList<string>? Allowed = null);
