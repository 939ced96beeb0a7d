using System.Text.Json;
using Monitor.Core.Usage;
using Monitor.Providers;
using Monitor.Storage;
using Monitor.Tests.Support;

namespace Monitor.Tests.Providers;

/// <summary>The small parts of the connector kit: lenient numbers with drift, base URLs as pasted, drift stored once a day.</summary>
public sealed class ProviderKitTests
{
    private sealed record Row(JsonNumber? Amount, JsonNumber? Tokens);

    [Fact]
    public void JsonNumber_NumberOrNumericString_ReadsTheValue()
    {
        var row = JsonSerializer.Deserialize<Row>("""{"Amount":"12.340","Tokens":7}""")!;
        var drift = new DriftLog();

        Assert.Equal(12.34m, row.Amount!.Value.Read(drift, "GET /x", "amount"));
        Assert.Equal(7, row.Tokens!.Value.ReadCount(drift, "GET /x", "tokens"));
        Assert.Empty(drift.Drain());
    }

    [Fact]
    public void JsonNumber_ObjectWhereANumberBelongs_IsNullAndReportedWithItsPath_AndTheRestStillReads()
    {
        var row = JsonSerializer.Deserialize<Row>("""{"Amount":{"value":1,"currency":"usd"},"Tokens":5}""")!;
        var drift = new DriftLog();

        Assert.Null(row.Amount!.Value.Read(drift, "GET /v1/organization/costs", "data[].results[].amount"));
        Assert.Equal(5, row.Tokens!.Value.ReadCount(drift, "GET /v1/organization/costs", "data[].results[].tokens"));
        var item = Assert.Single(drift.Drain());
        Assert.Equal("data[].results[].amount", item.Path);
        Assert.Contains("expected a number, got an object", item.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonNumber_AbsentField_IsNullWithoutDrift()
    {
        var row = JsonSerializer.Deserialize<Row>("""{"Tokens":1}""")!;

        Assert.Null(row.Amount);
    }

    [Theory]
    [InlineData(ProviderKind.OpenAI, "https://api.openai.com/v1", "https://api.openai.com")]
    [InlineData(ProviderKind.OpenAI, "https://api.openai.com/v1/", "https://api.openai.com")]
    [InlineData(ProviderKind.OpenAI, "https://api.openai.com", "https://api.openai.com")]
    [InlineData(ProviderKind.Mistral, "https://api.mistral.ai/v1", "https://api.mistral.ai")]
    [InlineData(ProviderKind.Mistral, "https://api.mistral.ai/v1/admin", "https://api.mistral.ai")]
    [InlineData(ProviderKind.OpenRouter, "https://openrouter.ai/api/v1", "https://openrouter.ai/api")]
    [InlineData(ProviderKind.OpenRouter, "https://openrouter.ai/api", "https://openrouter.ai/api")]
    [InlineData(ProviderKind.OpenRouter, "https://openrouter.ai", "https://openrouter.ai/api")]
    [InlineData(ProviderKind.OpenRouter, "https://openrouter.ai/", "https://openrouter.ai/api")]
    [InlineData(ProviderKind.OpenRouter, "https://gateway.example.com", "https://gateway.example.com")]
    [InlineData(ProviderKind.Kilo, "https://api.kilo.ai/api/openrouter/", "https://api.kilo.ai")]
    [InlineData(ProviderKind.Kilo, "https://api.kilo.ai/api/gateway", "https://api.kilo.ai")]
    [InlineData(ProviderKind.Kilo, "https://kilocode.ai/api/openrouter", "https://kilocode.ai")]
    [InlineData(ProviderKind.Kilo, "https://api.kilo.ai/api/openrouter/v1", "https://api.kilo.ai")]
    [InlineData(ProviderKind.Kilo, "https://app.kilo.ai", "https://app.kilo.ai")]
    [InlineData(ProviderKind.OpenAICompatible, "http://vllm:8000/v1/", "http://vllm:8000")]
    [InlineData(ProviderKind.Anthropic, "https://api.anthropic.com/v1", "https://api.anthropic.com")]
    [InlineData(ProviderKind.LiteLLM, "http://litellm:4000/v1", "http://litellm:4000")]
    public void BaseUrls_AsUsersPasteThem_LoseTheVersionSegment(ProviderKind kind, string pasted, string expected) =>
        Assert.Equal(expected, BaseUrls.Normalise(kind, pasted));

    [Fact]
    public async Task Drift_SeenTwiceTheSameDay_IsNewOnceAndCounted_AndNewAgainTheNextDay()
    {
        using var ledger = new TempLedger();
        var items = new[] { new DriftItem("GET /v1/admin/usage", "completion.models.x.weird", "unknown billing group") };
        var day1 = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

        var first = await RecordAsync(ledger, items, day1);
        var again = await RecordAsync(ledger, items, day1.AddHours(5));
        var nextDay = await RecordAsync(ledger, items, day1.AddDays(1));

        Assert.Single(first);
        Assert.Empty(again);
        Assert.Single(nextDay);
        Assert.Equal([2L, 1L], await ledger.QueryAsync<long>("SELECT occurrences FROM provider_drift ORDER BY day"));
    }

    private static async Task<IReadOnlyList<DriftItem>> RecordAsync(TempLedger ledger, DriftItem[] items, DateTimeOffset at)
    {
        await using var c = await ledger.Database.OpenAsync(CancellationToken.None);
        return await ProviderDriftRepository.RecordAsync(c, null, "mistral-test", items, at);
    }
}
