using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Monitor.Providers;

/// <summary>
/// A number as providers send it in a DTO: a JSON number or a numeric string (money comes both ways). Anything else
/// (an object, a word, a boolean) does not fail the page: it is kept as <see cref="Problem"/>, and the mapping that
/// reads it reports the drift with the field's path (<see cref="Read"/>). A field that is absent or null is a null
/// <c>JsonNumber?</c>, told apart from one that is present but unreadable.
/// </summary>
[JsonConverter(typeof(JsonNumberConverter))]
public readonly record struct JsonNumber(decimal? Value, string? Problem)
{
    public static JsonNumber Of(decimal value) => new(value, null);

    /// <summary>The value, or null after reporting why not to <paramref name="drift"/>.</summary>
    public decimal? Read(DriftLog drift, string endpoint, string path)
    {
        ArgumentNullException.ThrowIfNull(drift);
        if (Problem is not null)
            drift.Report(endpoint, path, Problem);
        return Value;
    }

    /// <summary>A whole count (tokens, requests, units); a fractional value is rounded and reported.</summary>
    public long? ReadCount(DriftLog drift, string endpoint, string path)
    {
        if (Read(drift, endpoint, path) is not { } value)
            return null;
        var rounded = decimal.Round(value);
        if (rounded != value)
            drift.Report(endpoint, path, $"expected a whole number, got {value.ToString(CultureInfo.InvariantCulture)} (rounded)");
        return rounded is >= long.MinValue and <= long.MaxValue ? (long)rounded : null;
    }
}

public sealed class JsonNumberConverter : JsonConverter<JsonNumber>
{
    public override JsonNumber Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return reader.TryGetDecimal(out var d) ? JsonNumber.Of(d)
                    : new JsonNumber(null, $"the number {Text(ref reader)} is out of range");
            case JsonTokenType.String:
                var text = reader.GetString();
                return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? JsonNumber.Of(parsed)
                    : new JsonNumber(null, $"expected a number, got the string '{Shorten(text)}'");
            default:
                var kind = reader.TokenType;
                reader.Skip(); // an object or array: step over it, the rest of the page stays readable
                return new JsonNumber(null, $"expected a number, got {Describe(kind)}");
        }
    }

    public override void Write(Utf8JsonWriter writer, JsonNumber value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value.Value is { } v)
            writer.WriteNumberValue(v);
        else
            writer.WriteNullValue();
    }

    private static string Text(ref Utf8JsonReader reader) => System.Text.Encoding.UTF8.GetString(reader.ValueSpan);

    private static string Shorten(string? text) => text is null ? "" : text.Length > 40 ? text[..40] + "..." : text;

    private static string Describe(JsonTokenType kind) => kind switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        _ => kind.ToString(),
    };
}
