using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Monitor.Ledger.Focus;

namespace Monitor.Tests.Ledger.Focus;

/// <summary>Checks an export against <see cref="FocusSpecRules"/> and the cross-column rules; returns every violation found.</summary>
internal static partial class FocusValidator
{
    // Attributes › Currency Format: ISO 4217 codes; .NET's regions list the codes in use.
    private static readonly HashSet<string> Iso4217 = [.. CultureInfo.GetCultures(CultureTypes.SpecificCultures)
        .Select(c => { try { return new RegionInfo(c.Name).ISOCurrencySymbol; } catch (ArgumentException) { return null; } })
        .OfType<string>()];

    public static List<string> Validate(FocusTable table, IReadOnlyCollection<string> secrets)
    {
        List<string> errors = [];
        var focus = FocusSpecRules.Columns.ToDictionary(r => r.Column);

        // Presence, and Attributes › Column Handling: custom columns are prefixed x_ and follow the FOCUS columns.
        errors.AddRange(FocusSpecRules.Columns.Where(r => r.Required && table.Index(r.Column) < 0).Select(r => $"{r.Column}: missing ({r.Source})"));
        var firstCustom = table.Columns.ToList().FindIndex(c => !focus.ContainsKey(c));
        foreach (var (column, i) in table.Columns.Select((c, i) => (c, i)))
        {
            if (!focus.ContainsKey(column) && !column.StartsWith("x_", StringComparison.Ordinal))
                errors.Add($"{column}: a custom column without the x_ prefix (Attributes › Column Handling)");
            if (focus.ContainsKey(column) && firstCustom >= 0 && i > firstCustom)
                errors.Add($"{column}: a FOCUS column after the custom columns (Attributes › Column Handling)");
        }

        foreach (var rule in FocusSpecRules.Columns.Concat(FocusSpecRules.PropertyColumns).Where(r => table.Index(r.Column) >= 0))
        {
            if (table.ParquetTypes?[rule.Column] is { } parquetType && parquetType != ParquetTypeOf(rule.Type))
                errors.Add($"{rule.Column}: Parquet type {parquetType}, the spec's {rule.Type} wants {ParquetTypeOf(rule.Type)} ({rule.Source})");
            foreach (var (value, row) in table.Values(rule.Column).Select((v, r) => (v, r)))
            {
                if (value is null)
                {
                    if (!rule.Nullable)
                        errors.Add($"row {row}: {rule.Column} is null ({rule.Source})");
                    continue;
                }

                if (!HasType(value, rule.Type))
                    errors.Add($"row {row}: {rule.Column} '{value}' is not {rule.Type} ({rule.Source})");
                if (rule.Allowed is { } allowed && !allowed.Contains(value))
                    errors.Add($"row {row}: {rule.Column} '{value}' is not an allowed value ({rule.Source})");
            }
        }

        for (var r = 0; r < table.Rows.Count; r++)
            errors.AddRange(RowRules(table, r, secrets).Select(e => $"row {r}: {e}"));
        return errors;
    }

    private static IEnumerable<string> RowRules(FocusTable t, int r, IReadOnlyCollection<string> secrets)
    {
        string? Cell(string column) => t.Index(column) is >= 0 and var i ? t.Rows[r][i] : null;
        // Cells of the wrong type are reported by the column rules; here they read as null and compare as false.
        decimal? Number(string column) => decimal.TryParse(Cell(column), NumberStyles.Number, CultureInfo.InvariantCulture, out var d) ? d : null;
        DateTimeOffset? Time(string column) => DateTimeOffset.TryParse(Cell(column), CultureInfo.InvariantCulture, out var t) ? t : null;

        // Charge Period End: exclusive, after the start; Billing Period: a calendar month holding the charge period.
        if (Time("ChargePeriodEnd") <= Time("ChargePeriodStart"))
            yield return "ChargePeriodEnd is not after ChargePeriodStart";
        if (Time("ChargePeriodStart") < Time("BillingPeriodStart") || Time("ChargePeriodEnd") > Time("BillingPeriodEnd"))
            yield return "the charge period is not inside the billing period";
        if (Time("BillingPeriodStart") is not { Day: 1, TimeOfDay.Ticks: 0 } month || Time("BillingPeriodEnd") != month.AddMonths(1))
            yield return "the billing period is not a calendar month";

        // Billed Cost: usage of pay-as-you-go APIs is never negative; Effective Cost equals it with no commitment;
        // List Cost = List Unit Price × Pricing Quantity (rounded to micro-units); Contracted Cost = List Cost without negotiated prices.
        if (Number("BilledCost") < 0)
            yield return "BilledCost is negative";
        if (Number("EffectiveCost") != Number("BilledCost"))
            yield return "EffectiveCost differs from BilledCost without a commitment";
        if (Number("ListUnitPrice") is { } unit && !(Math.Abs(unit * Number("PricingQuantity") - Number("ListCost") ?? 1m) <= 0.0000005m))
            yield return "ListCost is not ListUnitPrice × PricingQuantity";
        if (Number("ListUnitPrice") is null && Number("ListCost") != Number("BilledCost"))
            yield return "ListCost without a ListUnitPrice does not match BilledCost";
        if (Number("ContractedCost") != Number("ListCost"))
            yield return "ContractedCost differs from ListCost without negotiated prices";
        if (!Iso4217.Contains(Cell("BillingCurrency")!))
            yield return $"BillingCurrency '{Cell("BillingCurrency")}' is not an ISO 4217 code";
        if (Cell("ConsumedUnit") == FocusMapper.TokensUnit && Number("ConsumedQuantity") * 0.000001m != Number("PricingQuantity"))
            yield return "PricingQuantity is not ConsumedQuantity in blocks of 1000000 Tokens";

        if ((Cell("SkuPriceId") is null) != (Cell("SkuPriceDetails") is null))
            yield return "SkuPriceDetails is null exactly when SkuPriceId is not";
        if (Cell("SubAccountId") is null && Cell("SubAccountName") is not null)
            yield return "SubAccountName without a SubAccountId";
        if (Cell("SkuPriceDetails") is { } details)
        {
            foreach (var error in SkuPriceDetailsRules(details))
                yield return error;
        }

        // The draft's SkuPriceDetails properties repeated as custom columns: the same value as the property (null where
        // it is left out), and a model wherever tokens have a direction.
        foreach (var rule in FocusSpecRules.PropertyColumns.Where(c => t.Index(c.Column) >= 0))
        {
            var property = rule.Column["x_".Length..];
            if (Cell(rule.Column) != Property(Cell("SkuPriceDetails"), property))
                yield return $"{rule.Column} '{Cell(rule.Column)}' differs from SkuPriceDetails {property} ({rule.Source})";
        }

        if (Cell("x_TokenDirection") is not null && Cell("x_ModelId") is null)
            yield return "x_TokenDirection without an x_ModelId";

        // Credential ID (working draft): an identifier, never the credential; here also never a fingerprint of it.
        if (Cell("CredentialId") is { } credential
            && (secrets.Any(s => credential.Contains(s, StringComparison.Ordinal)) || credential.StartsWith("sk-", StringComparison.Ordinal)))
            yield return $"CredentialId '{credential}' holds key material";
    }

    private static IEnumerable<string> SkuPriceDetailsRules(string json)
    {
        using var document = JsonDocument.Parse(json);
        string? direction = null;
        var cacheAction = false;
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (FocusSpecRules.SkuPriceProperties.TryGetValue(property.Name, out var allowed))
            {
                if (allowed is not null && !allowed.Contains(property.Value.GetString()!))
                    yield return $"SkuPriceDetails {property.Name} '{property.Value}' is not an allowed value";
            }
            else if (!property.Name.StartsWith("x_", StringComparison.Ordinal))
            {
                yield return $"SkuPriceDetails property '{property.Name}' is neither FOCUS-defined nor x_-prefixed";
            }

            direction = property.Name == "TokenDirection" ? property.Value.GetString() : direction;
            cacheAction |= property.Name == "TokenCacheAction";
        }

        if (direction == "Output" && cacheAction)
            yield return "SkuPriceDetails has a TokenCacheAction on tokens generated in a response";
    }

    /// <summary>A SkuPriceDetails property as text; null where the details are null, not a JSON object, or lack it.</summary>
    private static string? Property(string? details, string name)
    {
        if (details is null || !IsJsonObject(details))
            return null;
        using var document = JsonDocument.Parse(details);
        return document.RootElement.TryGetProperty(name, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null;
    }

    private static bool HasType(string value, FocusDataType type) => type switch
    {
        FocusDataType.Decimal => DecimalFormat().IsMatch(value),
        FocusDataType.DateTime => DateTimeFormat().IsMatch(value),
        FocusDataType.Json => IsJsonObject(value),
        _ => value.Length > 0,
    };

    private static bool IsJsonObject(string value)
    {
        try
        {
            using var document = JsonDocument.Parse(value);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // Decimal: exact, in micro-units like the ledger; Date/Time: a UTC instant; String and JSON: UTF-8 strings.
    private static string ParquetTypeOf(FocusDataType type) => type switch
    {
        FocusDataType.Decimal => "decimal(18, 6)",
        FocusDataType.DateTime => "timestamp(UTC: True)",
        _ => nameof(String),
    };

    // Attributes › Numeric Format: optional sign, digits, optional fraction; no exponent, no thousands separators.
    [GeneratedRegex(@"^-?\d+(\.\d+)?$")]
    private static partial Regex DecimalFormat();

    // Attributes › Date/Time Format: ISO 8601 in UTC, YYYY-MM-DDTHH:mm:ssZ.
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")]
    private static partial Regex DateTimeFormat();
}
