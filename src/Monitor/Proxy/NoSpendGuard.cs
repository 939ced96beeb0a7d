namespace Monitor.Proxy;

/// <summary>The guard when no enforced budget is wired in: every call is forwarded, nothing is kept.</summary>
public sealed class NoSpendGuard : ISpendGuard
{
    public SpendRefusal? Check(string account, string keyFingerprint, string? model) => null;

    public void Record(MeteredCall call)
    {
    }
}
