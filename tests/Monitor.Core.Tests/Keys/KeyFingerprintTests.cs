using Monitor.Core.Keys;

namespace Monitor.Core.Tests.Keys;

public sealed class KeyFingerprintTests
{
    private const string Key = "sk-proj-Zx81abcDEFghiJKLmnoPQRstuVWX1234yZ9q";

    [Fact]
    public void Of_Key_KeepsHashPrefixAndLastFourOnly()
    {
        var fingerprint = KeyFingerprint.Of(Key);

        Assert.Matches("^[0-9a-f]{12}\\.\\.\\.Z9q$".Replace("Z9q", "yZ9q", StringComparison.Ordinal), fingerprint);
        Assert.DoesNotContain(Key[..10], fingerprint, StringComparison.Ordinal);
        Assert.DoesNotContain(Key[4..^4], fingerprint, StringComparison.Ordinal);
    }

    [Fact]
    public void Of_SameKey_IsStable_AndDifferentKeysDiffer()
    {
        Assert.Equal(KeyFingerprint.Of(Key), KeyFingerprint.Of(Key));
        Assert.NotEqual(KeyFingerprint.Of(Key), KeyFingerprint.Of(Key[..^1] + "r"));
    }

    [Fact]
    public void FromHash_MatchesOf_ForProvidersThatListSha256()
    {
        // OpenRouter and LiteLLM name keys by the SHA-256 hex of the key.
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Key)));

        Assert.Equal(KeyFingerprint.Of(Key), KeyFingerprint.FromHash(hash, Key[^4..]));
    }

    [Theory]
    [InlineData(Key, false)]
    [InlineData("3f9a1c0be27d...x9Qa", true)]
    [InlineData("3F9A1C0BE27D...x9Qa", false)]
    [InlineData("", false)]
    public void IsFingerprint_RejectsAnythingButTheShape(string text, bool expected)
    {
        Assert.Equal(expected, KeyFingerprint.IsFingerprint(text));
    }
}
