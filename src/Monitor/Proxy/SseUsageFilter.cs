using System.Text.Json;

namespace Monitor.Proxy;

/// <summary>
/// Meters a stream one complete event at a time and, when the proxy asked for stream usage on the caller's behalf,
/// gives the caller the stream it asked for: OpenAI then sends one extra chunk (<c>"choices":[]</c> with the
/// <c>usage</c>), which is removed, and <c>"usage":null</c> in every other chunk, which is taken out of that chunk.
/// Every other byte passes unchanged. Only the first event (for the model) and events that mention usage are parsed.
/// </summary>
public sealed class SseUsageFilter(ResponseUsage usage, bool removeRequestedUsage)
{
    public ResponseUsage Usage { get; } = usage;

    /// <summary>Meters one complete event (its blank line included) and returns its length once filtered: 0 drops it.</summary>
    public int Process(Span<byte> @event)
    {
        var (start, length) = SseEvent.SingleData(@event, out var lines);
        if (lines == 0)
            return @event.Length;
        ReadOnlySpan<byte> data = start >= 0 ? @event.Slice(start, length) : SseEvent.JoinedData(@event);
        if (data.SequenceEqual("[DONE]"u8) || (Usage.Model is not null && data.IndexOf("usage"u8) < 0))
            return @event.Length;

        int nullUsageStart = -1, nullUsageEnd = -1;
        try
        {
            var reader = new Utf8JsonReader(data);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            Usage.ReadEvent(root);
            if (!removeRequestedUsage || root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("usage", out var value))
                return @event.Length;
            if (value.ValueKind == JsonValueKind.Object && root.TryGetProperty("choices", out var choices)
                && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() == 0)
                return 0; // the usage chunk the caller did not ask for
            if (value.ValueKind == JsonValueKind.Null && start >= 0)
                (nullUsageStart, nullUsageEnd) = NullUsage(data);
        }
        catch (JsonException)
        {
            return @event.Length; // not JSON: passed on as it is
        }

        if (nullUsageStart < 0)
            return @event.Length;
        var cutFrom = start + nullUsageStart;
        var cutTo = start + nullUsageEnd;
        @event[cutTo..].CopyTo(@event[cutFrom..]);
        return @event.Length - (cutTo - cutFrom);
    }

    /// <summary>The bytes of <c>"usage":null</c> at the top level of <paramref name="data"/> with one adjacent comma, or (-1, -1).</summary>
    private static (int Start, int End) NullUsage(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            return (-1, -1);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var nameStart = (int)reader.TokenStartIndex;
            var isUsage = reader.ValueTextEquals("usage"u8);
            reader.Read();
            if (isUsage && reader.TokenType == JsonTokenType.Null)
            {
                var end = (int)reader.BytesConsumed;
                var before = nameStart - 1;
                while (before >= 0 && IsSpace(data[before]))
                    before--;
                if (before >= 0 && data[before] == (byte)',')
                    return (before, end);
                var after = end;
                while (after < data.Length && IsSpace(data[after]))
                    after++;
                return after < data.Length && data[after] == (byte)',' ? (nameStart, after + 1) : (-1, -1);
            }

            reader.Skip();
        }

        return (-1, -1);
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
}
