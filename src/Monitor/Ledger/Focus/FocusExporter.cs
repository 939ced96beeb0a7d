using System.Runtime.CompilerServices;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Storage;

namespace Monitor.Ledger.Focus;

/// <summary>
/// <c>monitor export focus</c>: the counted ledger in the FinOps FOCUS Cost and Usage schema (<see cref="FocusColumns"/>),
/// as CSV or Parquet, streamed. The rules of each row are <see cref="FocusMapper"/>'s; the catalog supplies the list
/// prices in force at each record's bucket (its category's tier where the catalog has one).
/// </summary>
public sealed class FocusExporter(Database database, PriceCatalog catalog)
{
    private readonly ExportRepository _export = new(database);

    /// <summary>Writes the window [from, to) as CSV; returns the number of rows.</summary>
    public Task<long> WriteCsvAsync(TextWriter output, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct) =>
        TableWriter.WriteAsync(output, ExportFormat.Csv, FocusColumns.Names, Cells(ChargesAsync(from, to, ct)), ct);

    /// <summary>Writes the window [from, to) as Parquet to a seekable stream; returns the number of rows.</summary>
    public Task<long> WriteParquetAsync(Stream output, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct) =>
        FocusParquetWriter.WriteAsync(output, ChargesAsync(from, to, ct), ct);

    public async IAsyncEnumerable<FocusCharge> ChargesAsync(DateTimeOffset? from, DateTimeOffset? to, [EnumeratorCancellation] CancellationToken ct)
    {
        var rows = _export.CountedUsageAsync(from?.ToUnixTimeSeconds() ?? long.MinValue, to?.ToUnixTimeSeconds() ?? long.MaxValue, ct);
        await foreach (var row in rows.WithCancellation(ct))
        {
            foreach (var charge in FocusMapper.Map(row, PricesOf(row)))
                yield return charge;
        }
    }

    private TokenPrices? PricesOf(CountedUsageRow row)
    {
        if (!ProviderKinds.TryParse(row.Provider, out var kind) || !Currencies.TryParse(row.Currency, out var currency))
            return null;
        var price = catalog.Find(kind, row.Model, currency, DateTimeOffset.FromUnixTimeSeconds(row.BucketStart), row.Category);
        return price is null ? null : TokenPrices.Of(price, kind);
    }

    private static async IAsyncEnumerable<object?[]> Cells(IAsyncEnumerable<FocusCharge> charges)
    {
        await foreach (var charge in charges)
            yield return FocusColumns.Cells(charge);
    }
}
