using System.Globalization;
using Monitor.Ledger;
using Parquet;
using Parquet.Schema;

namespace Monitor.Tests.Ledger.Focus;

/// <summary>
/// An export read back as text cells (null for an empty CSV cell or a Parquet null), with the Parquet type of each
/// column where it came from Parquet (decimal(p, s), timestamp(UTC: true) or the CLR type name). Parquet values are written in the CSV's text forms (invariant decimals without
/// trailing zeros, ISO 8601 UTC), so the two files compare cell by cell.
/// </summary>
internal sealed record FocusTable(IReadOnlyList<string> Columns, IReadOnlyList<string?[]> Rows, IReadOnlyDictionary<string, string>? ParquetTypes = null)
{
    public int Index(string column) => Columns.ToList().IndexOf(column);

    public IEnumerable<string?> Values(string column)
    {
        var i = Index(column);
        return Rows.Select(r => r[i]);
    }

    public static FocusTable FromCsv(string csv)
    {
        var reader = new CsvRecordReader(new StringReader(csv));
        IReadOnlyList<string> header = [.. reader.Read()!];
        List<string?[]> rows = [];
        while (reader.Read() is { } record)
            rows.Add([.. record.Select(v => v.Length == 0 ? null : v)]);
        return new FocusTable(header, rows);
    }

    public static async Task<FocusTable> FromParquetAsync(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path);
        var fields = reader.Schema.GetDataFields();
        var types = fields.ToDictionary(f => f.Name, f => f switch
        {
            DecimalDataField d => $"decimal({d.Precision}, {d.Scale})",
            DateTimeDataField t => $"timestamp(UTC: {t.IsAdjustedToUTC})",
            _ when f.ClrType == typeof(string) || f.ClrType == typeof(ReadOnlyMemory<char>) => nameof(String),
            _ => f.ClrType.Name,
        });
        List<string?[]> rows = [];
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var count = (int)group.RowCount;
            var columns = new string?[fields.Length][];
            for (var c = 0; c < fields.Length; c++)
                columns[c] = await ReadAsync(group, fields[c], count);
            for (var r = 0; r < count; r++)
                rows.Add([.. columns.Select(col => col[r])]);
        }

        return new FocusTable([.. fields.Select(f => f.Name)], rows, types);
    }

    private static async Task<string?[]> ReadAsync(ParquetRowGroupReader group, DataField field, int count)
    {
        switch (field)
        {
            case DecimalDataField:
                var numbers = new decimal?[count];
                await group.ReadAsync<decimal>(field, numbers.AsMemory());
                return [.. numbers.Select(n => n?.ToString("0.######", CultureInfo.InvariantCulture))];
            case DateTimeDataField:
                var times = new DateTime?[count];
                await group.ReadAsync<DateTime>(field, times.AsMemory());
                return [.. times.Select(t => t is { } v ? TableWriter.Time(new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc))) : null)];
            default:
                var text = new string?[count];
                await group.ReadAsync(field, text.AsMemory()!);
                return text;
        }
    }
}
