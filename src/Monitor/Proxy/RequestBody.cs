using System.Text.Json;

namespace Monitor.Proxy;

/// <summary>
/// What the proxy reads from a JSON request body before forwarding it: the model asked for (for the spend guard, and
/// for a call that fails before any usage), whether it streams, and, where the kind reports stream usage only when
/// asked, the same body with <c>stream_options.include_usage</c> set. Every other byte is forwarded as sent; nothing
/// is kept once the call is forwarded.
/// </summary>
public readonly record struct RequestBody(string? Model, bool Stream, bool AskedForUsage)
{
    private static ReadOnlySpan<byte> StreamOptionsProperty => "\"stream_options\":{\"include_usage\":true},"u8;
    private static ReadOnlySpan<byte> IncludeUsageProperty => "\"include_usage\":true"u8;
    private static ReadOnlySpan<byte> StreamOptionsObject => "{\"include_usage\":true}"u8;

    /// <summary>Reads the top level of <paramref name="json"/>; a body that is not a JSON object yields nothing (it is forwarded as it is).</summary>
    public static RequestBody Inspect(ReadOnlySpan<byte> json) => Scan(json, out _);

    /// <summary>
    /// The body with <c>stream_options.include_usage</c> set to true, or null when it needs no change (not streaming,
    /// already asked, or not a JSON object). Only the bytes of that one setting change.
    /// </summary>
    public static byte[]? AskForStreamUsage(ReadOnlySpan<byte> json, out RequestBody body)
    {
        body = Scan(json, out var edit);
        if (!body.Stream || body.AskedForUsage || edit.Kind == EditKind.None)
            return null;
        ReadOnlySpan<byte> insert;
        var at = edit.At;
        var remove = 0;
        switch (edit.Kind)
        {
            case EditKind.InsertStreamOptions:
                insert = StreamOptionsProperty;
                break;
            case EditKind.InsertIncludeUsage:
                // Inside an object: add a comma unless it is empty.
                var next = NextNonSpace(json, at);
                var buffer = new byte[json.Length + IncludeUsageProperty.Length + 1];
                json[..at].CopyTo(buffer);
                IncludeUsageProperty.CopyTo(buffer.AsSpan(at));
                var written = at + IncludeUsageProperty.Length;
                if (next < json.Length && json[next] != (byte)'}')
                    buffer[written++] = (byte)',';
                json[at..].CopyTo(buffer.AsSpan(written));
                return buffer.AsSpan(0, written + json.Length - at).ToArray();
            case EditKind.ReplaceFalse:
                insert = "true"u8;
                remove = 5;
                break;
            case EditKind.ReplaceNull:
                insert = StreamOptionsObject;
                remove = 4;
                break;
            default:
                return null;
        }

        var result = new byte[json.Length - remove + insert.Length];
        json[..at].CopyTo(result);
        insert.CopyTo(result.AsSpan(at));
        json[(at + remove)..].CopyTo(result.AsSpan(at + insert.Length));
        return result;
    }

    private static int NextNonSpace(ReadOnlySpan<byte> json, int from)
    {
        while (from < json.Length && json[from] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            from++;
        return from;
    }

    private enum EditKind
    {
        None,
        InsertStreamOptions,
        InsertIncludeUsage,
        ReplaceFalse,
        ReplaceNull,
    }

    private readonly record struct Edit(EditKind Kind, int At);

    private static RequestBody Scan(ReadOnlySpan<byte> json, out Edit edit)
    {
        edit = default;
        string? model = null;
        var stream = false;
        var asked = false;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return default;
            var rootOpen = (int)reader.TokenStartIndex;
            var options = new Edit(EditKind.InsertStreamOptions, rootOpen + 1);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    model = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("stream"u8))
                {
                    reader.Read();
                    stream = reader.TokenType == JsonTokenType.True;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("stream_options"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Null)
                        options = new Edit(EditKind.ReplaceNull, (int)reader.TokenStartIndex);
                    else if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        options = new Edit(EditKind.InsertIncludeUsage, (int)reader.TokenStartIndex + 1);
                        var depth = reader.CurrentDepth;
                        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
                        {
                            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == depth + 1 && reader.ValueTextEquals("include_usage"u8))
                            {
                                reader.Read();
                                asked = reader.TokenType == JsonTokenType.True;
                                options = reader.TokenType == JsonTokenType.False ? new Edit(EditKind.ReplaceFalse, (int)reader.TokenStartIndex) : new Edit(EditKind.None, 0);
                            }
                            else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                                reader.Skip();
                        }
                    }
                    else
                        options = new Edit(EditKind.None, 0); // a value no provider accepts: leave it to the upstream's 400
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            edit = options;
            return new RequestBody(model, stream, asked);
        }
        catch (JsonException)
        {
            edit = default;
            return new RequestBody(model, false, false);
        }
    }
}
