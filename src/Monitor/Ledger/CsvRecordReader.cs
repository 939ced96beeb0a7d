using System.Text;

namespace Monitor.Ledger;

/// <summary>
/// Streams RFC 4180 CSV: quoted fields, doubled quotes and line breaks inside quotes. Reports the line number
/// each record starts on, so errors can name it. Holds one record in memory at a time.
/// </summary>
public sealed class CsvRecordReader(TextReader reader)
{
    private readonly StringBuilder _field = new();
    private readonly List<string> _fields = [];
    private int _line;

    /// <summary>The 1-based line on which the last record returned started.</summary>
    public int LineNumber { get; private set; }

    /// <summary>The next record's fields, or null at the end. The list is reused between calls.</summary>
    public IReadOnlyList<string>? Read()
    {
        var text = reader.ReadLine();
        _line++;
        while (text is not null && text.Length == 0)
        {
            text = reader.ReadLine(); // blank lines carry no record
            _line++;
        }

        if (text is null)
            return null;
        LineNumber = _line;
        _fields.Clear();
        _field.Clear();
        var inQuotes = false;
        while (true)
        {
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (inQuotes)
                {
                    if (c != '"')
                        _field.Append(c);
                    else if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        _field.Append('"');
                        i++;
                    }
                    else
                        inQuotes = false;
                }
                else if (c == ',')
                {
                    _fields.Add(_field.ToString());
                    _field.Clear();
                }
                else if (c == '"' && _field.Length == 0)
                    inQuotes = true;
                else
                    _field.Append(c);
            }

            if (!inQuotes)
                break;
            var next = reader.ReadLine()
                ?? throw new BadInputException($"line {LineNumber}: a quoted field is not closed before the end of the file");
            _line++;
            _field.Append('\n');
            text = next;
        }

        _fields.Add(_field.ToString());
        return _fields;
    }

    /// <summary>Quotes a value for CSV when it needs it.</summary>
    public static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
