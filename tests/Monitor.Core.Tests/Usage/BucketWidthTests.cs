using Monitor.Core.Usage;

namespace Monitor.Core.Tests.Usage;

public sealed class BucketWidthTests
{
    [Theory]
    [InlineData("1m", BucketWidth.Minute)]
    [InlineData("1h", BucketWidth.Hour)]
    [InlineData("1d", BucketWidth.Day)]
    [InlineData("month", BucketWidth.Month)]
    public void TryParse_WireNames_RoundTrip(string text, BucketWidth width)
    {
        Assert.True(BucketWidths.TryParse(text, out var parsed));
        Assert.Equal(width, parsed);
        Assert.Equal(text, parsed.ToWire());
    }

    [Fact]
    public void EndOf_Month_HandlesLeapFebruary()
    {
        var start = new DateTimeOffset(2028, 2, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal(new DateTimeOffset(2028, 3, 1, 0, 0, 0, TimeSpan.Zero), BucketWidth.Month.EndOf(start));
        Assert.Equal(29, (BucketWidth.Month.EndOf(start) - start).Days);
    }

    [Fact]
    public void IsAligned_RejectsMidBucketStarts()
    {
        Assert.True(BucketWidth.Hour.IsAligned(new DateTimeOffset(2026, 11, 1, 5, 0, 0, TimeSpan.Zero)));
        Assert.False(BucketWidth.Hour.IsAligned(new DateTimeOffset(2026, 11, 1, 5, 30, 0, TimeSpan.Zero)));
        Assert.False(BucketWidth.Day.IsAligned(new DateTimeOffset(2026, 11, 1, 5, 0, 0, TimeSpan.Zero)));
        Assert.False(BucketWidth.Month.IsAligned(new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero)));
        Assert.False(BucketWidth.Hour.IsAligned(new DateTimeOffset(2026, 11, 1, 5, 0, 0, TimeSpan.FromHours(1))));
    }

    [Theory]
    [InlineData("openai_compatible", ProviderKind.OpenAICompatible)]
    [InlineData("OpenAICompatible", ProviderKind.OpenAICompatible)]
    [InlineData("litellm", ProviderKind.LiteLLM)]
    [InlineData("Mistral", ProviderKind.Mistral)]
    public void ProviderKinds_ParseWireAndConfigForms(string text, ProviderKind kind)
    {
        Assert.True(ProviderKinds.TryParse(text, out var parsed));
        Assert.Equal(kind, parsed);
    }

    [Fact]
    public void ProviderKinds_RejectNumbersAndUnknowns()
    {
        Assert.False(ProviderKinds.TryParse("3", out _));
        Assert.False(ProviderKinds.TryParse("Mistrall", out _));
    }
}
