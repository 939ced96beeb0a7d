using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Monitor.Providers;

/// <summary>
/// A one-pass reader of OpenAI's usage pages (<c>{data:[{start_time, results:[...]}], has_more, next_page}</c>), the
/// hot path of a backfill: hundreds of thousands of rows per chunk. It reads only the fields the ledger needs, skips the
/// rest (unknown fields included), accepts numbers sent as strings, and takes repeating ids (model, project, key) from
/// a pool instead of allocating them per row. A broken document throws <see cref="JsonException"/>.
/// </summary>
public sealed class UsagePageReader
{
    private readonly HashSet<string> _pool = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly List<Row> _rows = [];

    public UsagePageReader() => _lookup = _pool.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>One usage row; counts are null when absent.</summary>
    public record struct Row(
        long? InputTokens, long? InputCachedTokens, long? InputCacheWriteTokens, long? InputUncachedTokens, long? OutputTokens,
        long? NumModelRequests, string? ProjectId, string? ApiKeyId, string? Model, bool? Batch);

    /// <summary>Reads one page; <paramref name="onRow"/> gets each row with its bucket's start (Unix seconds).</summary>
    public (bool HasMore, string? NextPage, bool HasData) Read(ReadOnlySpan<byte> json, Action<long, Row> onRow)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException("the page is not a JSON object");
        bool hasMore = false, hasData = false;
        string? next = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    hasData = true;
                    while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                        ReadBucket(ref reader, onRow);
                }
                else
                    reader.Skip();
            }
            else if (reader.ValueTextEquals("has_more"u8))
            {
                reader.Read();
                hasMore = reader.TokenType == JsonTokenType.True;
            }
            else if (reader.ValueTextEquals("next_page"u8))
            {
                reader.Read();
                next = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return (hasMore, next, hasData);
    }

    private void ReadBucket(ref Utf8JsonReader reader, Action<long, Row> onRow)
    {
        long? start = null;
        var rows = _rows;
        rows.Clear();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("start_time"u8))
            {
                reader.Read();
                start = Long(ref reader);
            }
            else if (reader.ValueTextEquals("results"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                    rows.Add(ReadRow(ref reader));
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        // start_time may come after results: rows are handed out once the bucket is complete.
        var bucketStart = start ?? throw new JsonException("data[].start_time is missing");
        foreach (var row in rows)
            onRow(bucketStart, row);
    }

    private Row ReadRow(ref Utf8JsonReader reader)
    {
        var row = default(Row);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            reader.Read();
            // Rows carry ~25 fields of which 10 matter: dispatch on the name's length so each field costs one or two compares.
            switch (name.Length)
            {
                case 5 when name.SequenceEqual("model"u8): row.Model = Pooled(ref reader); break;
                case 5 when name.SequenceEqual("batch"u8): row.Batch = reader.TokenType switch { JsonTokenType.True => true, JsonTokenType.False => false, _ => null }; break;
                case 10 when name.SequenceEqual("project_id"u8): row.ProjectId = Pooled(ref reader); break;
                case 10 when name.SequenceEqual("api_key_id"u8): row.ApiKeyId = Pooled(ref reader); break;
                case 12 when name.SequenceEqual("input_tokens"u8): row.InputTokens = Long(ref reader); break;
                case 13 when name.SequenceEqual("output_tokens"u8): row.OutputTokens = Long(ref reader); break;
                case 18 when name.SequenceEqual("num_model_requests"u8): row.NumModelRequests = Long(ref reader); break;
                case 19 when name.SequenceEqual("input_cached_tokens"u8): row.InputCachedTokens = Long(ref reader); break;
                case 21 when name.SequenceEqual("input_uncached_tokens"u8): row.InputUncachedTokens = Long(ref reader); break;
                case 24 when name.SequenceEqual("input_cache_write_tokens"u8): row.InputCacheWriteTokens = Long(ref reader); break;
                default: reader.Skip(); break;
            }
        }

        return row;
    }

    private static long? Long(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Number when reader.TryGetInt64(out var n) => n,
        JsonTokenType.Number => (long)decimal.Round(reader.GetDecimal()),
        JsonTokenType.String when long.TryParse(reader.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
        JsonTokenType.Null => null,
        _ => throw new JsonException($"expected a number, found {reader.TokenType}"),
    };

    private string? Pooled(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
            return null;
        if (reader.TokenType != JsonTokenType.String)
            throw new JsonException($"expected a string, found {reader.TokenType}");
        if (reader.ValueIsEscaped || reader.ValueSpan.Length > 256)
            return reader.GetString();
        Span<char> chars = stackalloc char[256];
        var length = Encoding.UTF8.GetChars(reader.ValueSpan, chars);
        if (_lookup.TryGetValue(chars[..length], out var pooled))
            return pooled;
        var value = new string(chars[..length]);
        _pool.Add(value);
        return value;
    }
}
