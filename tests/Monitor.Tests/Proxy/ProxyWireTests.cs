using System.Text;
using System.Text.Json;
using Monitor.Core.Usage;
using Monitor.Proxy;

namespace Monitor.Tests.Proxy;

/// <summary>The pieces that read the wire: request body edits, SSE framing and filtering, the JSON usage scanner.</summary>
public sealed class ProxyWireTests
{
    [Theory]
    [InlineData("{\"model\":\"m\",\"stream\":true}", "{\"stream_options\":{\"include_usage\":true},\"model\":\"m\",\"stream\":true}")]
    [InlineData("{\"model\":\"m\",\"stream\":true,\"stream_options\":{}}", "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}")]
    [InlineData("{\"model\":\"m\",\"stream\":true,\"stream_options\":{ \"x\":1}}", "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true, \"x\":1}}")]
    [InlineData("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":false}}", "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}")]
    [InlineData("{\"model\":\"m\",\"stream\":true,\"stream_options\":null}", "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}")]
    public void AskForStreamUsage_StreamingBody_OnlyThatSettingChanges(string body, string expected)
    {
        var changed = RequestBody.AskForStreamUsage(Encoding.UTF8.GetBytes(body), out var read);

        Assert.Equal(expected, Encoding.UTF8.GetString(changed!));
        Assert.Equal(("m", true, false), (read.Model, read.Stream, read.AskedForUsage));
        using var _ = JsonDocument.Parse(changed!);
    }

    [Theory]
    [InlineData("{\"model\":\"m\",\"stream\":false}")]
    [InlineData("{\"model\":\"m\"}")]
    [InlineData("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}")]
    [InlineData("{\"model\":\"m\",\"stream\":tru")]
    [InlineData("[1,2]")]
    public void AskForStreamUsage_NothingToAsk_Null(string body) =>
        Assert.Null(RequestBody.AskForStreamUsage(Encoding.UTF8.GetBytes(body), out _));

    [Fact]
    public void Inspect_ModelAfterLargeNestedValues_Found() =>
        Assert.Equal("late-model", RequestBody.Inspect(Encoding.UTF8.GetBytes("{\"messages\":[{\"content\":[{\"text\":\"x\"}]}],\"tools\":{\"a\":[1]},\"model\":\"late-model\"}")).Model);

    [Theory]
    [InlineData("data: {}\n\nrest", 10)]
    [InlineData("data: {}\r\n\r\nrest", 12)]
    [InlineData("data: {}\r\rrest", 10)]
    [InlineData("event: a\ndata: {}\n\n", 19)]
    [InlineData("data: {}\n", -1)]
    [InlineData("data: {}\r\n\r", -1)]
    public void SseLength_FramedEvents_EndAfterTheBlankLine(string text, int expected) =>
        Assert.Equal(expected, SseEvent.Length(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void Filter_ProxyAskedForUsage_DropsTheUsageChunkAndNullUsage()
    {
        var usage = new ResponseUsage();
        var filter = new SseUsageFilter(usage, removeRequestedUsage: true);
        var chunk = Encoding.UTF8.GetBytes("data: {\"id\":\"c\",\"model\":\"gpt\",\"choices\":[{\"delta\":{\"content\":\"usage\"}}],\"usage\":null}\n\n");
        var first = Encoding.UTF8.GetBytes("data: {\"usage\":null,\"id\":\"c\"}\n\n");
        var usageChunk = Encoding.UTF8.GetBytes("data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":4,\"prompt_tokens_details\":{\"cached_tokens\":6}}}\n\n");

        var kept = filter.Process(chunk);
        var keptFirst = filter.Process(first);

        Assert.Equal("data: {\"id\":\"c\",\"model\":\"gpt\",\"choices\":[{\"delta\":{\"content\":\"usage\"}}]}\n\n", Encoding.UTF8.GetString(chunk, 0, kept));
        Assert.Equal("data: {\"id\":\"c\"}\n\n", Encoding.UTF8.GetString(first, 0, keptFirst));
        Assert.Equal(0, filter.Process(usageChunk));
        Assert.Equal(new TokenCounts(4, 6, 0, 4, 0), usage.Tokens);
        Assert.Equal("gpt", usage.Model);
    }

    [Fact]
    public void Filter_CallerAskedForUsage_EveryByteKept()
    {
        var filter = new SseUsageFilter(new ResponseUsage(), removeRequestedUsage: false);
        var usageChunk = Encoding.UTF8.GetBytes("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1}}\n\n");

        Assert.Equal(usageChunk.Length, filter.Process(usageChunk));
    }

    [Fact]
    public void Scanner_FedOneByteAtATime_KeepsOnlyTopLevelModelAndUsage()
    {
        const string json = """
            {"id":"x","data":[{"model":"nested","usage":{"prompt_tokens":999}}],"note":"a \"usage\": {} string,",
             "model" : "mistral-embed", "usage": {"prompt_tokens": 15, "completion_tokens": 0, "total_tokens": 15}, "tail": [1, {"b": [2]}]}
            """;
        using var scanner = new JsonUsageScanner();
        foreach (var b in Encoding.UTF8.GetBytes(json))
            scanner.Feed([b]);
        var usage = new ResponseUsage();

        scanner.ReadInto(usage);

        Assert.Equal("mistral-embed", usage.Model);
        Assert.Equal(new TokenCounts(15, 0, 0, 0, 0), usage.Tokens);
    }

    [Fact]
    public void Usage_AnthropicStartThenDelta_InputFromStartOutputFromDelta()
    {
        var usage = new ResponseUsage();
        using var start = JsonDocument.Parse("""{"type":"message_start","message":{"model":"claude-sonnet-4-5-20250929","usage":{"input_tokens":12,"cache_creation_input_tokens":100,"cache_read_input_tokens":300,"output_tokens":1}}}""");
        using var delta = JsonDocument.Parse("""{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":57}}""");

        usage.ReadEvent(start.RootElement);
        usage.ReadEvent(delta.RootElement);

        Assert.Equal(new TokenCounts(12, 300, 100, 57, 0), usage.Tokens);
        Assert.Equal("claude-sonnet-4-5-20250929", usage.Model);
    }

    [Fact]
    public void Usage_OpenAIResponsesApi_InputIncludesCached()
    {
        var usage = new ResponseUsage();
        using var completed = JsonDocument.Parse("""{"type":"response.completed","response":{"model":"gpt-5","usage":{"input_tokens":100,"input_tokens_details":{"cached_tokens":40},"output_tokens":30,"output_tokens_details":{"reasoning_tokens":20}}}}""");

        usage.ReadEvent(completed.RootElement);

        Assert.Equal(new TokenCounts(60, 40, 0, 30, 20), usage.Tokens);
    }
}
