using Parquet;
using Parquet.Schema;

namespace Monitor.Ledger.Focus;

/// <summary>
/// Writes FOCUS rows as Parquet: strings (JSON columns too) as UTF-8 strings, Date/Time as UTC timestamps in
/// milliseconds, Decimal as decimal(18, 6) (money in micro-units, like the ledger), every column nullable as FOCUS allows
/// nulls per column. Rows go out in row groups of <see cref="RowGroupSize"/>, so memory stays flat on a large ledger.
/// The stream must be seekable (a file).
/// </summary>
public static class FocusParquetWriter
{
    public const int RowGroupSize = 50_000;
    public const int Precision = 18;
    public const int Scale = 6;

    public static ParquetSchema Schema { get; } = new(FocusColumns.All.Select(Field));

    public static async Task<long> WriteAsync(Stream output, IAsyncEnumerable<FocusCharge> charges, CancellationToken ct)
    {
        await using var writer = await ParquetWriter.CreateAsync(Schema, output, cancellationToken: ct);
        long count = 0;
        var batch = new List<FocusCharge>(RowGroupSize);
        await foreach (var charge in charges.WithCancellation(ct))
        {
            batch.Add(charge);
            if (batch.Count == RowGroupSize)
            {
                await WriteRowGroupAsync(writer, batch, ct);
                count += batch.Count;
                batch.Clear();
            }
        }

        if (batch.Count > 0 || count == 0)
            await WriteRowGroupAsync(writer, batch, ct);
        return count + batch.Count;
    }

    private static DataField Field(FocusColumn column) => column.Type switch
    {
        FocusDataType.Decimal => new DecimalDataField(column.Name, Precision, Scale, isNullable: true),
        FocusDataType.DateTime => new DateTimeDataField(column.Name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, DateTimeTimeUnit.Millis, isNullable: true),
        _ => new DataField<string>(column.Name, nullable: true),
    };

    private static async Task WriteRowGroupAsync(ParquetWriter writer, List<FocusCharge> batch, CancellationToken ct)
    {
        using var group = writer.CreateRowGroup();
        var fields = Schema.GetDataFields();
        for (var i = 0; i < fields.Length; i++)
        {
            var column = FocusColumns.All[i];
            switch (column.Type)
            {
                case FocusDataType.Decimal:
                    var numbers = batch.Select(c => column.Value(c) is decimal d ? decimal.Round(d, Scale, MidpointRounding.AwayFromZero) : (decimal?)null).ToArray();
                    await group.WriteAsync<decimal>(fields[i], numbers, cancellationToken: ct);
                    break;
                case FocusDataType.DateTime:
                    var times = batch.Select(c => column.Value(c) is DateTimeOffset t ? t.UtcDateTime : (DateTime?)null).ToArray();
                    await group.WriteAsync<DateTime>(fields[i], times, cancellationToken: ct);
                    break;
                default:
                    await group.WriteAsync(fields[i], batch.Select(c => (string?)column.Value(c)).ToArray());
                    break;
            }
        }

        group.CompleteValidate();
    }
}
