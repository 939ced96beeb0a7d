using System.Security.Cryptography;
using System.Text;

namespace Monitor.Alerts;

/// <summary>
/// The ids the alert path derives from dedup keys (a mail's Message-Id, a webhook's webhook-id, a digest's key): the
/// same key gives the same id on every node and every retry, in characters safe in any header.
/// </summary>
public static class StableId
{
    /// <summary>The first <paramref name="length"/> lowercase hex digits of the SHA-256 of <paramref name="key"/>.</summary>
    public static string Of(string key, int length) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..length];
}
