namespace Monitor.Proxy;

/// <summary>
/// Enforced budgets at the proxy: asked before a call is forwarded (a refusal is answered with HTTP 429 and never
/// reaches the provider), and told every metered call at once, so that the running total decides the very next request
/// rather than a ledger flush later.
/// </summary>
public interface ISpendGuard
{
    /// <summary>Null to forward the call; otherwise the budget that stops it.</summary>
    SpendRefusal? Check(string account, string keyFingerprint, string? model);

    /// <summary>Adds a metered call to the running totals.</summary>
    void Record(MeteredCall call);
}
