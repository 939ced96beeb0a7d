using System.Globalization;
using System.Text.Json;

namespace Monitor.Providers;

/// <summary>
/// Lenient readers for provider JSON: tolerate missing optional fields, numbers sent as strings and unknown
/// extras; a missing required field throws through <see cref="ProviderHttp.Malformed"/> naming it.
/// </summary>
public static class Json
{
    public static JsonElement? Get(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public static string? Str(this JsonElement e, string name) => e.Get(name) switch
    {
        { ValueKind: JsonValueKind.String } v => v.GetString(),
        { ValueKind: JsonValueKind.Number } v => v.GetRawText(),
        { ValueKind: JsonValueKind.True } => "true",
        { ValueKind: JsonValueKind.False } => "false",
        _ => null,
    };

    public static decimal? Dec(this JsonElement e, string name) => e.Get(name) is { } v ? Number(v) : null;

    public static long? Long(this JsonElement e, string name) => e.Get(name) switch
    {
        { ValueKind: JsonValueKind.Number } v when v.TryGetInt64(out var n) => n, // the common case, without decimal arithmetic
        { } v when Number(v) is { } d => (long)decimal.Round(d),
        _ => null,
    };

    public static bool? Bool(this JsonElement e, string name) => e.Get(name) switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        { ValueKind: JsonValueKind.String } v when bool.TryParse(v.GetString(), out var b) => b,
        _ => null,
    };

    /// <summary>A number or a numeric string (providers send money both ways).</summary>
    public static decimal? Number(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Number when v.TryGetDecimal(out var d) => d,
        JsonValueKind.Number => (decimal)v.GetDouble(),
        JsonValueKind.String when decimal.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    public static DateTimeOffset? Time(this JsonElement e, string name)
    {
        if (e.Get(name) is not { } v)
            return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var seconds))
            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        return v.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : null;
    }

    public static IEnumerable<JsonElement> Array(this JsonElement e, string name) =>
        e.Get(name) is { ValueKind: JsonValueKind.Array } v ? v.EnumerateArray() : [];
}
