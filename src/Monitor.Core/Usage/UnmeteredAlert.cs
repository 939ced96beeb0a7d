using System.Globalization;
using Monitor.Core.Alerts;
using Monitor.Core.Pricing;

namespace Monitor.Core.Usage;

/// <summary>
/// Turns a day of unmetered usage into one <c>unmetered_usage</c> alert per account and UTC day: the provider's and the
/// proxy's figures, the models and keys carrying the difference, and a runbook. When the provider names a key the
/// proxy never saw, the alert names it and shares that key's anomaly cooldown, so it joins the key's incident instead
/// of mailing beside it.
/// </summary>
public static class UnmeteredAlert
{
    private const int TopRows = 5;

    public static AlertDecision Compose(UnmeteredDay day)
    {
        var date = day.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var key = day.Keys.Count > 0 ? day.Keys[0] : null;
        var keyText = key is null ? null : Who(key);
        var detail = $"On {date} (UTC) the provider reported {Amount(day, day.Reported)} for {day.Account} and the proxy metered "
            + $"{Amount(day, day.Metered)}: {Amount(day, day.Unmetered)} came from keys or places that do not go through the proxy.";
        if (keyText is not null)
            detail += $" {Capital(keyText)} was used that day and never went through the proxy.";
        return new AlertDecision
        {
            Kind = AlertKind.UnmeteredUsage,
            Severity = AlertSeverity.Warning,
            Account = day.Account,
            Workspace = key is { Key.Workspace.Length: > 0 } ? key.Key.Workspace : null,
            KeyId = key?.Key.KeyId,
            Title = $"[Unmetered] {day.Account} {date}: {Amount(day, day.Unmetered)} of {Amount(day, day.Reported)} "
                + $"({Percent(day.SharePercent)}) did not go through the proxy" + (keyText is null ? "" : $", {keyText}"),
            Detail = detail,
            DedupKey = DedupKey(day.Account, day.Day),
            // A named key's anomaly alerts use this cooldown key (kind, account, workspace, key): one incident per key.
            CooldownKey = key is null ? null : $"{SnakeCase.Of(AlertKind.Anomaly)}:{day.Account}:{key.Key.Workspace}:{key.Key.KeyId}:",
            OccurredAt = day.Day,
            Evidence = new AlertEvidence
            {
                Facts =
                [
                    new("Day (UTC)", date),
                    new("Compared by", day.Measure == UnmeteredMeasure.Cost ? $"cost ({day.Currency})" : "tokens (a side has unpriced usage or another currency)"),
                    new("Reported by the provider", Amount(day, day.Reported)),
                    new("Metered by the proxy", Amount(day, day.Metered)),
                    new("Unmetered", Amount(day, day.Unmetered)),
                    new("Share of the provider's figure", Percent(day.SharePercent)),
                ],
                Amounts = day is { Measure: UnmeteredMeasure.Cost, Currency: { } code }
                    ?
                    [
                        new("reported", MoneyUnits.FromMicros(day.Reported), code),
                        new("metered", MoneyUnits.FromMicros(day.Metered), code),
                        new("unmetered", MoneyUnits.FromMicros(day.Unmetered), code),
                    ]
                    : [],
                Breakdowns =
                [
                    new("Models (unmetered: reported less metered)", [.. day.Lines.Where(l => Gap(day, l) > 0).Take(TopRows).Select(l => new AlertFact(l.Model, Line(day, l)))]),
                    .. day.Keys.Count == 0 ? [] : new[]
                    {
                        new AlertBreakdown("Keys the proxy never saw that day", [.. day.Keys.Take(TopRows).Select(k => new AlertFact(Who(k), KeyAmount(k)))]),
                    },
                ],
                Runbook =
                [
                    "Find who calls the provider without the proxy: the keys above, CI jobs, servers, notebooks, another team's editor.",
                    "Point them at the proxy: base URL http://MONITOR/proxy/" + day.Account + "/v1 (Kilo Code, Roo Code: see the README).",
                    "If a key is used that nobody recognises, treat it as leaked: rotate it and revoke the old one at the provider.",
                    "If the usage is meant to bypass the proxy, raise Monitor:Alerts:Unmetered:MinShare or MinAmountPerDay.",
                ],
            },
        };
    }

    /// <summary>One alert per account and UTC day, however often the day is compared.</summary>
    public static string DedupKey(string account, DateTimeOffset day) =>
        $"{SnakeCase.Of(AlertKind.UnmeteredUsage)}:{account}:{day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";

    /// <summary>An amount in the day's measure: "EUR 12.40" or "1,234,567 tokens".</summary>
    public static string Amount(UnmeteredDay day, long value) =>
        day.Measure == UnmeteredMeasure.Cost && Currencies.TryParse(day.Currency, out var currency)
            ? MoneyUnits.Display(MoneyUnits.FromMicros(value), currency)
            : string.Create(CultureInfo.InvariantCulture, $"{value:N0} tokens");

    private static long Gap(UnmeteredDay day, UnmeteredLine line) =>
        day.Measure == UnmeteredMeasure.Cost ? line.GapMicros ?? 0 : line.GapTokens;

    private static string Line(UnmeteredDay day, UnmeteredLine line) => day.Measure == UnmeteredMeasure.Cost
        ? $"{Amount(day, Gap(day, line))} ({Amount(day, line.ReportedMicros ?? 0)} reported, {Amount(day, line.MeteredMicros ?? 0)} metered)"
        : string.Create(CultureInfo.InvariantCulture, $"{line.GapTokens:N0} tokens ({line.ReportedTokens:N0} reported, {line.MeteredTokens:N0} metered)");

    private static string Who(UnmeteredKey k)
    {
        var name = string.IsNullOrEmpty(k.Key.Name) || k.Key.Name == k.Key.KeyId ? k.Key.KeyId : $"{k.Key.Name} ({k.Key.KeyId})";
        var tail = k.Key.LastFour is { Length: > 0 } last ? $", ...{last}" : "";
        return $"key {name}{tail}";
    }

    private static string KeyAmount(UnmeteredKey k) =>
        k.CostMicros is { } micros && Currencies.TryParse(k.Currency, out var currency)
            ? string.Create(CultureInfo.InvariantCulture, $"{MoneyUnits.Display(MoneyUnits.FromMicros(micros), currency)}, {k.Tokens:N0} tokens")
            : string.Create(CultureInfo.InvariantCulture, $"{k.Tokens:N0} tokens");

    private static string Percent(decimal percent) => string.Create(CultureInfo.InvariantCulture, $"{percent:0.#} %");

    private static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
