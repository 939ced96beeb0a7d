namespace Monitor.Ledger;

/// <param name="Records">Records written.</param>
/// <param name="Replaced">Records of earlier pulls or imports in the covered windows that this import replaced.</param>
/// <param name="Accounts">Accounts the file names.</param>
public sealed record ImportResult(long Records, int Replaced, int Accounts);
