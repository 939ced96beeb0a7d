using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Monitor.Providers;

/// <summary>
/// A one-pass reader of OpenAI's usage pages (<c>{data:[{start_time, results:[...]}], has_more, next_page}</c>, the
/// envelope every usage family shares), the hot path of a backfill: hundreds of thousands of rows per chunk. It reads
/// only the fields the ledger needs, skips the rest (unknown fields included), accepts numbers sent as strings, and
/// takes repeating ids (model, project, key, service tier) from a pool instead of allocating them per row: every id of
/// one reader is the same instance each time it appears (<see cref="PooledUsageKeys"/> relies on it). A value of
/// the wrong type is reported as drift with its path and read as absent; a page that is not JSON, or not shaped as a
/// page, throws <see cref="JsonException"/>.
/// </summary>
public sealed class UsagePageReader
{
    private readonly HashSet<string> _pool = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly List<Row> _rows = [];
    private Action<string, string>? _drift;

    public UsagePageReader() => _lookup = _pool.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>One usage row of any family; counts are null when absent (or unreadable, which was reported).</summary>
    public record struct Row(
        long? InputTokens, long? InputCachedTokens, long? InputCacheWriteTokens, long? InputUncachedTokens, long? OutputTokens,
        long? NumModelRequests, string? ProjectId, string? ApiKeyId, string? Model, bool? Batch, string? ServiceTier,
        long? Images, long? Characters, long? Seconds, long? UsageBytes, long? NumSessions, long? NumRequests);

    /// <summary>What one page said about the walk.</summary>
    public readonly record struct Page(bool HasMore, string? NextPage, bool HasData, int Buckets, long? FirstStart);

    /// <summary>
    /// Reads one page; <paramref name="onRow"/> gets each row with its bucket's start (Unix seconds);
    /// <paramref name="drift"/> gets the path and problem of each value of the wrong type.
    /// </summary>
    public Page Read(ReadOnlySpan<byte> json, Action<long, Row> onRow, Action<string, string> drift)
    {
        _drift = drift;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException("the page is not a JSON object");
        bool hasMore = false, hasData = false;
        string? next = null;
        var buckets = 0;
        long? firstStart = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    hasData = true;
                    while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                    {
                        var start = ReadBucket(ref reader, onRow);
                        firstStart ??= start;
                        buckets++;
                    }
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

        return new Page(hasMore, next, hasData, buckets, firstStart);
    }

    private long ReadBucket(ref Utf8JsonReader reader, Action<long, Row> onRow)
    {
        long? start = null;
        var rows = _rows;
        rows.Clear();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("start_time"u8))
            {
                reader.Read();
                start = Long(ref reader, "data[].start_time");
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
        return bucketStart;
    }

    private Row ReadRow(ref Utf8JsonReader reader)
    {
        var row = default(Row);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            reader.Read();
            // Rows carry up to ~25 fields of which a few matter: dispatch on the name's length so each costs one or two compares.
            switch (name.Length)
            {
                case 5 when name.SequenceEqual("model"u8): row.Model = Pooled(ref reader, "data[].results[].model"); break;
                case 5 when name.SequenceEqual("batch"u8): row.Batch = Bool(ref reader); break;
                case 6 when name.SequenceEqual("images"u8): row.Images = Long(ref reader, "data[].results[].images"); break;
                case 7 when name.SequenceEqual("seconds"u8): row.Seconds = Long(ref reader, "data[].results[].seconds"); break;
                case 10 when name.SequenceEqual("project_id"u8): row.ProjectId = Pooled(ref reader, "data[].results[].project_id"); break;
                case 10 when name.SequenceEqual("api_key_id"u8): row.ApiKeyId = Pooled(ref reader, "data[].results[].api_key_id"); break;
                case 10 when name.SequenceEqual("characters"u8): row.Characters = Long(ref reader, "data[].results[].characters"); break;
                case 11 when name.SequenceEqual("usage_bytes"u8): row.UsageBytes = Long(ref reader, "data[].results[].usage_bytes"); break;
                case 12 when name.SequenceEqual("input_tokens"u8): row.InputTokens = Long(ref reader, "data[].results[].input_tokens"); break;
                case 12 when name.SequenceEqual("service_tier"u8): row.ServiceTier = Pooled(ref reader, "data[].results[].service_tier"); break;
                case 12 when name.SequenceEqual("num_sessions"u8): row.NumSessions = Long(ref reader, "data[].results[].num_sessions"); break;
                case 12 when name.SequenceEqual("num_requests"u8): row.NumRequests = Long(ref reader, "data[].results[].num_requests"); break;
                case 13 when name.SequenceEqual("output_tokens"u8): row.OutputTokens = Long(ref reader, "data[].results[].output_tokens"); break;
                case 18 when name.SequenceEqual("num_model_requests"u8): row.NumModelRequests = Long(ref reader, "data[].results[].num_model_requests"); break;
                case 19 when name.SequenceEqual("input_cached_tokens"u8): row.InputCachedTokens = Long(ref reader, "data[].results[].input_cached_tokens"); break;
                case 21 when name.SequenceEqual("input_uncached_tokens"u8): row.InputUncachedTokens = Long(ref reader, "data[].results[].input_uncached_tokens"); break;
                case 24 when name.SequenceEqual("input_cache_write_tokens"u8): row.InputCacheWriteTokens = Long(ref reader, "data[].results[].input_cache_write_tokens"); break;
                default: reader.Skip(); break;
            }
        }

        return row;
    }

    private long? Long(ref Utf8JsonReader reader, string path)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number when reader.TryGetInt64(out var n):
                return n;
            case JsonTokenType.Number when reader.TryGetDecimal(out var d) && decimal.Round(d) is var r && r is >= long.MinValue and <= long.MaxValue:
                if (r != d)
                    _drift?.Invoke(path, $"expected a whole number, got {d.ToString(CultureInfo.InvariantCulture)} (rounded)");
                return (long)r;
            case JsonTokenType.String when long.TryParse(reader.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n):
                return n;
            case JsonTokenType.Null:
                return null;
            default:
                _drift?.Invoke(path, reader.TokenType == JsonTokenType.Number
                    ? $"the number {Encoding.UTF8.GetString(reader.ValueSpan)} is out of range (read as absent)"
                    : $"expected a number, got {Describe(ref reader)} (read as absent)");
                reader.Skip();
                return null;
        }
    }

    private static bool? Bool(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.True: return true;
            case JsonTokenType.False: return false;
            default:
                reader.Skip();
                return null;
        }
    }

    private string? Pooled(ref Utf8JsonReader reader, string path)
    {
        if (reader.TokenType == JsonTokenType.Null)
            return null;
        if (reader.TokenType != JsonTokenType.String)
        {
            _drift?.Invoke(path, $"expected a string, got {Describe(ref reader)} (read as absent)");
            reader.Skip();
            return null;
        }

        if (reader.ValueIsEscaped || reader.ValueSpan.Length > 256)
        {
            // Rare: decoded, then pooled all the same (ids are compared by reference downstream).
            var text = reader.GetString()!;
            if (_pool.TryGetValue(text, out var known))
                return known;
            _pool.Add(text);
            return text;
        }

        Span<char> chars = stackalloc char[256];
        var length = Encoding.UTF8.GetChars(reader.ValueSpan, chars);
        if (_lookup.TryGetValue(chars[..length], out var pooled))
            return pooled;
        var value = new string(chars[..length]);
        _pool.Add(value);
        return value;
    }

    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.String => $"the string '{Shorten(reader.GetString())}'",
        JsonTokenType.Number => "a number",
        var kind => kind.ToString(),
    };

    private static string Shorten(string? text) => text is null ? "" : text.Length > 40 ? text[..40] + "..." : text;
}
