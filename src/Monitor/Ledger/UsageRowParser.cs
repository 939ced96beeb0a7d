using System.Globalization;
using Monitor.Core;
using Monitor.Core.Keys;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;

namespace Monitor.Ledger;

/// <summary>
/// Turns one imported row (values in <see cref="UsageFields.All"/> order, null when the column is absent) into a
/// ledger record, or throws <see cref="BadInputException"/> naming the file, line and field.
/// Costs: a given cost is kept with its source; a missing one is estimated from the catalog, or marked unpriced.
/// </summary>
public sealed class UsageRowParser(PriceCatalog catalog, DateTimeOffset ingestedAt)
{
    private static readonly int Count = UsageFields.All.Count;

    public static int IndexOf(string field)
    {
        for (var i = 0; i < Count; i++)
        {
            if (UsageFields.All[i] == field)
                return i;
        }

        return -1;
    }

    /// <summary>Where a row comes from; turned into text only when the row is rejected.</summary>
    public readonly record struct RowLocation(string File, int Line);

    public UsageRecord Parse(string?[] v, RowLocation where)
    {
        var widthText = Required(v, 1, where);
        if (!BucketWidths.TryParse(widthText, out var width))
            throw Bad(where, UsageFields.BucketWidth, $"'{widthText}' is not one of 1m, 1h, 1d, month");

        var startText = Required(v, 0, where);
        if (!DateTimeOffset.TryParse(startText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var start))
            throw Bad(where, UsageFields.BucketStart, $"'{startText}' is not a timestamp (ISO 8601, UTC)");
        if (!width.IsAligned(start))
            throw Bad(where, UsageFields.BucketStart, $"'{startText}' is not the start of a {width.ToWire()} bucket in UTC");

        var providerText = Required(v, 2, where);
        if (!ProviderKinds.TryParse(providerText, out var provider))
            throw Bad(where, UsageFields.Provider, $"'{providerText}' is not a provider kind");

        var fingerprint = Optional(v, 6);
        if (fingerprint is not null && !KeyFingerprint.IsFingerprint(fingerprint))
            throw Bad(where, UsageFields.KeyFingerprint, "is not a fingerprint (12 hex digits, '...', last 4 characters); keys themselves are never imported");

        var currencyText = Required(v, 15, where);
        if (!Currencies.TryParse(currencyText, out var currency))
            throw Bad(where, UsageFields.Currency, $"'{currencyText}' is not USD or EUR");

        var tokens = new TokenCounts(
            Count64(v, 8, where), Count64(v, 9, where), Count64(v, 10, where), Count64(v, 11, where), Count64(v, 12, where));
        if (tokens.Reasoning > tokens.Output)
            throw Bad(where, UsageFields.ReasoningTokens, "is larger than output_tokens (reasoning is part of output)");

        var model = Required(v, 7, where);
        var cost = Money(v, 14, where);
        var estimated = Money(v, 17, where) ?? catalog.Estimate(provider, model, currency, start, tokens);
        var sourceText = Optional(v, 16);
        CostSource costSource;
        if (sourceText is null)
            costSource = CostSources.Of(cost, estimated);
        else if (!SnakeCase.TryParse(sourceText, out costSource))
            throw Bad(where, UsageFields.CostSource, $"'{sourceText}' is not one of reported, estimated, unpriced");

        switch (costSource)
        {
            case CostSource.Reported when cost is null:
                throw Bad(where, UsageFields.Cost, "is required when cost_source is reported");
            case CostSource.Estimated:
                cost ??= estimated;
                if (cost is null)
                    throw Bad(where, UsageFields.CostSource, $"is estimated but model '{model}' has no {currency} price at {startText}");
                break;
            case CostSource.Unpriced when cost is not null:
                throw Bad(where, UsageFields.Cost, "must be empty when cost_source is unpriced");
        }

        var recordSourceText = Optional(v, 18);
        var recordSource = RecordSource.Import;
        if (recordSourceText is not null && !SnakeCase.TryParse(recordSourceText, out recordSource))
            throw Bad(where, UsageFields.Source, $"'{recordSourceText}' is not one of api, import, demo, proxy");

        var countedText = Optional(v, 23);
        bool? counted = countedText switch
        {
            null => null,
            "1" or "true" => true,
            "0" or "false" => false,
            _ => throw Bad(where, UsageFields.Counted, $"'{countedText}' is not 1 or 0"),
        };

        var units = Count64(v, 21, where);
        var unit = Optional(v, 22) ?? "";
        if (units != 0 && unit.Length == 0)
            throw Bad(where, UsageFields.Unit, "is required when units is not zero (pages, seconds, images, calls, ...)");

        return new UsageRecord
        {
            Account = Required(v, 3, where),
            Provider = provider,
            Workspace = Optional(v, 4) ?? "",
            KeyId = Optional(v, 5) ?? "",
            KeyFingerprint = fingerprint,
            Model = model,
            BucketStart = start,
            BucketWidth = width,
            Tokens = tokens,
            Requests = Count64(v, 13, where),
            Category = Optional(v, 20) ?? "",
            Units = units,
            Unit = unit,
            Cost = cost,
            Currency = currency,
            CostSource = costSource,
            EstimatedCost = estimated,
            Source = recordSource,
            IngestedAt = ingestedAt,
            Counted = counted,
        };
    }

    private static string Required(string?[] v, int i, RowLocation where) =>
        Optional(v, i) ?? throw Bad(where, UsageFields.All[i], "is required");

    private static string? Optional(string?[] v, int i)
    {
        var text = v[i];
        if (string.IsNullOrWhiteSpace(text))
            return null;
        // Exports neutralise formula-leading text cells with a quote; undo that so a round trip is lossless.
        return text.Length > 1 && text[0] == '\'' && "=+-@\t\r".Contains(text[1], StringComparison.Ordinal) ? text[1..] : text.Trim();
    }

    private static long Count64(string?[] v, int i, RowLocation where)
    {
        var text = Optional(v, i);
        if (text is null)
            return 0;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            throw Bad(where, UsageFields.All[i], $"'{text}' is not a whole number of zero or more");
        return n;
    }

    private static decimal? Money(string?[] v, int i, RowLocation where)
    {
        var text = Optional(v, i);
        if (text is null)
            return null;
        if (!decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var amount))
            throw Bad(where, UsageFields.All[i], $"'{text}' is not an amount (invariant decimal, e.g. 12.34)");
        return amount;
    }

    private static BadInputException Bad(RowLocation where, string field, string problem) => new($"{where.File}: line {where.Line}: {field}: {problem}");
}
