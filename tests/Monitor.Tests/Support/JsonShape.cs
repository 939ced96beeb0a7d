using System.Text.Json;

namespace Monitor.Tests.Support;

/// <summary>
/// The shape of a JSON payload: every property path (array items as <c>[]</c>, map keys that are data, such as model
/// ids, as <c>{}</c>) with the value kind found there. The demo's fake providers must only send what the recorded
/// fixtures show, with the same kinds, so the fakes cannot drift from the real format again.
/// </summary>
public static class JsonShape
{
    /// <summary>Path → kinds seen there (Number, String, True/False as Boolean, Object, Array; Null is compatible with all).</summary>
    /// <param name="maps">Paths whose object keys are data, not field names (e.g. <c>completion.models</c>).</param>
    public static Dictionary<string, HashSet<string>> Of(string json, params string[] maps)
    {
        using var document = JsonDocument.Parse(json);
        var shape = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        Walk(document.RootElement, "$", shape, [.. maps.Select(m => "$." + m)]);
        return shape;
    }

    /// <summary>Fails naming every path of <paramref name="fake"/> that the fixture does not have, or has with another kind.</summary>
    public static void AssertConforms(string fixture, string fake, params string[] maps)
    {
        var expected = Of(fixture, maps);
        var problems = new List<string>();
        foreach (var (path, kinds) in Of(fake, maps))
        {
            if (!expected.TryGetValue(path, out var allowed))
                problems.Add($"{path}: not in the fixture");
            else if (!allowed.SetEquals(["Null"]) && kinds.Where(k => k != "Null" && !allowed.Contains(k)).ToList() is { Count: > 0 } other)
                problems.Add($"{path}: {string.Join('/', other)} where the fixture has {string.Join('/', allowed)}"); // a fixture null says nothing of the kind
        }

        Assert.True(problems.Count == 0, "The fake's payload differs from the recorded fixture:\n" + string.Join('\n', problems));
    }

    private static void Walk(JsonElement e, string path, Dictionary<string, HashSet<string>> shape, HashSet<string> maps)
    {
        var kind = e.ValueKind switch
        {
            JsonValueKind.True or JsonValueKind.False => "Boolean",
            var k => k.ToString(),
        };
        if (!shape.TryGetValue(path, out var kinds))
            shape[path] = kinds = [];
        kinds.Add(kind);
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                    Walk(p.Value, maps.Contains(path) ? path + ".{}" : path + "." + p.Name, shape, maps);
                break;
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray())
                    Walk(item, path + "[]", shape, maps);
                break;
        }
    }
}
