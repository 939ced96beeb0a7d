using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Monitor.Core.Pricing;

namespace Monitor.Ledger;

/// <summary>
/// Writes rows of typed values as CSV (header + rows) or JSON (an array with one object per line, which
/// <c>monitor import</c> reads back). Values: string, long, int, bool, decimal (money), DateTimeOffset (ISO 8601 UTC)
/// or null. Text cells that a spreadsheet would run as a formula are prefixed with a quote.
/// </summary>
public static class TableWriter
{
    public static async Task<long> WriteAsync(
        TextWriter output, ExportFormat format, IReadOnlyList<string> columns, IAsyncEnumerable<object?[]> rows, CancellationToken ct)
    {
        long count = 0;
        if (format == ExportFormat.Csv)
        {
            await output.WriteLineAsync(string.Join(',', columns));
            var line = new StringBuilder();
            await foreach (var row in rows.WithCancellation(ct))
            {
                line.Clear();
                for (var i = 0; i < row.Length; i++)
                {
                    if (i > 0)
                        line.Append(',');
                    line.Append(row[i] is string s ? CsvRecordReader.Quote(Neutralise(s)) : Scalar(row[i]));
                }

                await output.WriteLineAsync(line, ct);
                count++;
            }

            return count;
        }

        var buffer = new ArrayBufferWriter<byte>(512);
        await output.WriteAsync("[");
        await foreach (var row in rows.WithCancellation(ct))
        {
            buffer.ResetWrittenCount();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                for (var i = 0; i < row.Length; i++)
                {
                    switch (row[i])
                    {
                        case null: json.WriteNull(columns[i]); break;
                        case string s: json.WriteString(columns[i], s); break;
                        case long n: json.WriteNumber(columns[i], n); break;
                        case int n: json.WriteNumber(columns[i], n); break;
                        case bool b: json.WriteBoolean(columns[i], b); break;
                        case decimal d: json.WriteNumber(columns[i], decimal.Round(d, 6)); break;
                        default: json.WriteString(columns[i], Scalar(row[i])); break;
                    }
                }

                json.WriteEndObject();
            }

            await output.WriteAsync(count == 0 ? "\n" : ",\n");
            await output.WriteAsync(Encoding.UTF8.GetString(buffer.WrittenSpan));
            count++;
        }

        await output.WriteLineAsync(count == 0 ? "]" : "\n]");
        return count;
    }

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Scalar(object? value) => value switch
    {
        null => "",
        decimal d => MoneyUnits.Format(d),
        DateTimeOffset t => Time(t),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    // A cell starting with = + - @ (or a tab or CR) runs as a formula in spreadsheets: neutralise it.
    private static string Neutralise(string s) =>
        s.Length > 0 && "=+-@\t\r".Contains(s[0], StringComparison.Ordinal) ? "'" + s : s;
}
