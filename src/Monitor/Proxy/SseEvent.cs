namespace Monitor.Proxy;

/// <summary>Server-sent events as the wire carries them: where one ends (a blank line), and what its <c>data:</c> lines hold.</summary>
public static class SseEvent
{
    /// <summary>
    /// The length of the first complete event in <paramref name="bytes"/>, its terminating blank line included, or -1
    /// when the event is not complete yet. Lines end in LF, CRLF or CR (a CR at the very end may still be a CRLF).
    /// </summary>
    public static int Length(ReadOnlySpan<byte> bytes)
    {
        var position = 0;
        while (position < bytes.Length)
        {
            var lineStart = position;
            var offset = bytes[position..].IndexOfAny((byte)'\r', (byte)'\n');
            if (offset < 0)
                return -1;
            var terminator = position + offset;
            int length;
            if (bytes[terminator] == (byte)'\r')
            {
                if (terminator + 1 >= bytes.Length)
                    return -1;
                length = bytes[terminator + 1] == (byte)'\n' ? 2 : 1;
            }
            else
                length = 1;
            position = terminator + length;
            if (terminator == lineStart)
                return position;
        }

        return -1;
    }

    /// <summary>
    /// The range of the event's data when it has exactly one <c>data:</c> line (the form every provider sends), else
    /// (-1, 0); <paramref name="lines"/> counts the data lines.
    /// </summary>
    public static (int Start, int Length) SingleData(ReadOnlySpan<byte> @event, out int lines)
    {
        lines = 0;
        (int, int) found = (-1, 0);
        var position = 0;
        while (position < @event.Length)
        {
            var offset = @event[position..].IndexOfAny((byte)'\r', (byte)'\n');
            var end = offset < 0 ? @event.Length : position + offset;
            var line = @event[position..end];
            if (line.StartsWith("data:"u8))
            {
                lines++;
                var start = position + 5;
                if (start < end && @event[start] == (byte)' ')
                    start++;
                found = (start, end - start);
            }

            if (offset < 0)
                break;
            position = end + (@event[end] == (byte)'\r' && end + 1 < @event.Length && @event[end + 1] == (byte)'\n' ? 2 : 1);
        }

        return lines == 1 ? found : (-1, 0);
    }

    /// <summary>The data of every <c>data:</c> line joined with LF, as an SSE client would see it.</summary>
    public static byte[] JoinedData(ReadOnlySpan<byte> @event)
    {
        using var joined = new MemoryStream();
        var position = 0;
        var first = true;
        while (position < @event.Length)
        {
            var offset = @event[position..].IndexOfAny((byte)'\r', (byte)'\n');
            var end = offset < 0 ? @event.Length : position + offset;
            var line = @event[position..end];
            if (line.StartsWith("data:"u8))
            {
                var data = line[5..];
                if (!data.IsEmpty && data[0] == (byte)' ')
                    data = data[1..];
                if (!first)
                    joined.WriteByte((byte)'\n');
                joined.Write(data);
                first = false;
            }

            if (offset < 0)
                break;
            position = end + (@event[end] == (byte)'\r' && end + 1 < @event.Length && @event[end + 1] == (byte)'\n' ? 2 : 1);
        }

        return joined.ToArray();
    }
}
