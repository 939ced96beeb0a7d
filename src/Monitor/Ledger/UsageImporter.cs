using System.Text.Json;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Storage;

namespace Monitor.Ledger;

/// <summary>
/// Imports usage records from CSV or JSON (the fields of <c>monitor export usage</c>), streaming, in one
/// transaction: a bad row aborts the whole import with its line and field, and nothing is written. An import
/// replaces, for each account it names, what the ledger held within the span of time the file covers.
/// </summary>
public sealed class UsageImporter(Database database, PriceCatalog catalog, TimeProvider clock)
{
    private const int ProgressEvery = 10_000;

    public async Task<ImportResult> ImportAsync(string path, IProgress<long>? progress, CancellationToken ct)
    {
        if (!File.Exists(path))
            throw new BadInputException($"{path}: no such file");
        var name = Path.GetFileName(path);
        var now = clock.GetUtcNow();
        var parser = new UsageRowParser(catalog, now);
        var windows = new Dictionary<string, (DateTimeOffset From, DateTimeOffset To)>(StringComparer.Ordinal);

        await using var tx = await LedgerTransaction.BeginAsync(database, "import", null, name, now, ct);
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        var rows = IsJson(path, reader) ? JsonRows(reader, name) : CsvRows(reader, name);
        foreach (var (values, where) in rows)
        {
            var record = parser.Parse(values, where);
            tx.Upsert(record);
            var end = record.BucketWidth.EndOf(record.BucketStart);
            windows[record.Account] = windows.TryGetValue(record.Account, out var w)
                ? (record.BucketStart < w.From ? record.BucketStart : w.From, end > w.To ? end : w.To)
                : (record.BucketStart, end);
            if (tx.RecordsWritten % ProgressEvery == 0)
            {
                progress?.Report(tx.RecordsWritten);
                ct.ThrowIfCancellationRequested();
            }
        }

        var replaced = 0;
        foreach (var (account, (from, to)) in windows)
            replaced += await tx.ReplaceWindowAsync(account, from, to);
        await tx.CommitAsync(ct);
        progress?.Report(tx.RecordsWritten);
        return new ImportResult(tx.RecordsWritten, replaced, windows.Count);
    }

    private static bool IsJson(string path, StreamReader reader)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is ".json" or ".jsonl" or ".ndjson")
            return true;
        if (extension == ".csv")
            return false;
        while (reader.Peek() is var c && c >= 0 && char.IsWhiteSpace((char)c))
            reader.Read();
        return reader.Peek() is '[' or '{';
    }

    private static IEnumerable<(string?[] Values, UsageRowParser.RowLocation Where)> CsvRows(StreamReader reader, string name)
    {
        var csv = new CsvRecordReader(reader);
        var header = csv.Read() ?? throw new BadInputException($"{name}: line 1: the file is empty (expected a header row)");
        var map = new int[header.Count];
        for (var i = 0; i < header.Count; i++)
        {
            map[i] = UsageRowParser.IndexOf(header[i].Trim().TrimStart('\uFEFF'));
            if (map[i] < 0)
                throw new BadInputException($"{name}: line 1: unknown column '{header[i]}' (expected {string.Join(", ", UsageFields.All)})");
        }

        foreach (var required in UsageFields.Required)
        {
            if (Array.IndexOf(map, UsageRowParser.IndexOf(required)) < 0)
                throw new BadInputException($"{name}: line 1: {required}: the column is missing");
        }

        var values = new string?[UsageFields.All.Count];
        while (csv.Read() is { } fields)
        {
            if (fields.Count != map.Length)
                throw new BadInputException($"{name}: line {csv.LineNumber}: has {fields.Count} fields, the header has {map.Length}");
            for (var i = 0; i < map.Length; i++)
                values[map[i]] = fields[i];
            yield return (values, new UsageRowParser.RowLocation(name, csv.LineNumber));
        }
    }

    // One record object per line: what `monitor export usage --format json` writes, and JSON Lines.
    private static IEnumerable<(string?[] Values, UsageRowParser.RowLocation Where)> JsonRows(StreamReader reader, string name)
    {
        var line = 0;
        var values = new string?[UsageFields.All.Count];
        while (reader.ReadLine() is { } text)
        {
            line++;
            var span = text.AsSpan().Trim();
            if (span.IsEmpty || span is "[" or "]")
                continue;
            if (span[^1] == ',')
                span = span[..^1].TrimEnd();
            if (span.Length < 2 || span[0] != '{' || span[^1] != '}')
                throw new BadInputException($"{name}: line {line}: expected one record object per line, as `monitor export usage --format json` writes");

            Array.Clear(values);
            try
            {
                using var document = JsonDocument.Parse(span.ToString());
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    var index = UsageRowParser.IndexOf(property.Name);
                    if (index < 0)
                        throw new BadInputException($"{name}: line {line}: unknown field '{property.Name}'");
                    values[index] = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString(),
                        JsonValueKind.Number => property.Value.GetRawText(),
                        JsonValueKind.Null => null,
                        _ => throw new BadInputException($"{name}: line {line}: {property.Name}: expected a string, a number or null"),
                    };
                }
            }
            catch (JsonException e)
            {
                throw new BadInputException($"{name}: line {line}: not valid JSON: {e.Message}", e);
            }

            yield return (values, new UsageRowParser.RowLocation(name, line));
        }
    }
}
