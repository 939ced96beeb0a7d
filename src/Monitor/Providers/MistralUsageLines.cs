using System.Globalization;
using System.Text.Json;
using static Monitor.Providers.MistralConnector;

namespace Monitor.Providers;

/// <summary>
/// Flattens a Mistral usage response into <see cref="MistralLine"/>s: every container the spec names (completion,
/// chat, ocr, connectors, audio, audio characters, the Libraries API, fine-tuning, Vibe Code), and any container it
/// does not name that still holds per-model usage maps (read as such, and reported as drift with its path, so its
/// money is kept). Compares the organisation total with the sum of the workspaces.
/// </summary>
internal static class MistralUsageLines
{
    private const string Endpoint = MistralConnector.UsageEndpoint;

    /// <param name="month">The month asked for: rows dated outside it are reported and kept in it.</param>
    public static IReadOnlyList<MistralLine> Read(UsageOut usage, DateTimeOffset month, DriftLog drift)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var reader = new Reader(month, drift);
        reader.Basic("completion", usage.Completion);
        reader.Basic("chat", usage.Chat);
        reader.Basic("ocr", usage.Ocr);
        reader.Basic("connectors", usage.Connectors);
        reader.Basic("audio", usage.Audio);
        reader.Basic("audio_characters", usage.AudioCharacters);
        if (usage.LibrariesApi is { } libraries)
        {
            reader.Basic("libraries_api.pages", libraries.Pages);
            reader.Basic("libraries_api.tokens", libraries.Tokens);
            reader.Basic("libraries_api.audio_seconds", libraries.AudioSeconds);
            reader.Unknown("libraries_api", libraries.Unknown);
        }

        if (usage.FineTuning is { } fineTuning)
        {
            foreach (var (model, groups) in fineTuning.Training ?? [])
                reader.Groups("fine_tuning.training", $"fine_tuning.training.{model}", model, groups);
            foreach (var (model, storage) in fineTuning.Storage ?? [])
                reader.Storage(model, storage);
            reader.Unknown("fine_tuning", fineTuning.Unknown);
        }

        if (usage.VibeCode is { } vibe)
        {
            reader.Basic("vibe_code.completion", vibe.Completion);
            reader.Basic("vibe_code.ocr", vibe.Ocr);
            reader.Basic("vibe_code.connectors", vibe.Connectors);
            reader.Basic("vibe_code.audio", vibe.Audio);
            reader.Basic("vibe_code.audio_characters", vibe.AudioCharacters);
            reader.Unknown("vibe_code", vibe.Unknown);
        }

        if (usage.VibeUsage?.Read(drift, Endpoint, "vibe_usage") is { } legacy && legacy != 0)
            drift.Report(Endpoint, "vibe_usage", $"the legacy field is {legacy.ToString(CultureInfo.InvariantCulture)} where the spec says always 0 (not counted: Vibe usage is read from vibe_code)");
        reader.Unknown("", usage.Unknown);
        return reader.Lines;
    }

    /// <summary>
    /// What the organisation total counts beyond the sum of the workspaces, line by line (same container, model, group,
    /// event, metric, zone, tier and day): usage outside any workspace, or in one the listings did not show. Where the
    /// workspaces add up to more than the total, nothing is subtracted (the workspaces' figures stay as they are) and
    /// the difference is reported as drift.
    /// </summary>
    public static IReadOnlyList<MistralLine> Outside(IReadOnlyList<MistralLine> organisation, IEnumerable<MistralLine> workspaces, DriftLog drift)
    {
        ArgumentNullException.ThrowIfNull(organisation);
        var inWorkspaces = Sum(workspaces);
        var outside = new List<MistralLine>();
        foreach (var (identity, total) in Sum(organisation))
        {
            var (value, paid) = inWorkspaces.Remove(identity, out var counted) ? (total.Value - counted.Value, total.ValuePaid - counted.ValuePaid) : (total.Value, total.ValuePaid);
            if (value < 0 || paid < 0)
                More(identity, -value, -paid, drift);
            if (value > 0 || paid > 0)
                outside.Add(identity with { Value = Math.Max(value, 0), ValuePaid = Math.Max(paid, 0) });
        }

        foreach (var (identity, counted) in inWorkspaces)
        {
            if (counted.Value > 0 || counted.ValuePaid > 0)
                More(identity, counted.Value, counted.ValuePaid, drift);
        }

        return outside;
    }

    private static void More(MistralLine identity, decimal value, decimal paid, DriftLog drift) =>
        drift.Report(Endpoint, identity.Path + " (workspaces vs organisation)",
            string.Create(CultureInfo.InvariantCulture,
                $"the workspaces count {Math.Max(value, 0)} units ({Math.Max(paid, 0)} paid) more than the organisation total{(identity.Day is { } d ? $" on {d:yyyy-MM-dd}" : "")}; kept as the workspaces report them, nothing subtracted"));

    private static Dictionary<MistralLine, MistralLine> Sum(IEnumerable<MistralLine> lines)
    {
        var sums = new Dictionary<MistralLine, MistralLine>();
        foreach (var line in lines)
        {
            var identity = line.Identity;
            sums[identity] = sums.TryGetValue(identity, out var s)
                ? s with { Value = s.Value + line.Value, ValuePaid = s.ValuePaid + line.ValuePaid }
                : line;
        }

        return sums;
    }

    private sealed class Reader(DateTimeOffset month, DriftLog drift)
    {
        public List<MistralLine> Lines { get; } = [];

        public void Basic(string container, BasicUsage? usage)
        {
            if (usage is null)
                return;
            foreach (var (model, groups) in usage.Models ?? [])
                Groups(container, $"{container}.models.{model}", model, groups);
            Unknown(container, usage.Unknown);
        }

        public void Groups(string container, string path, string model, Dictionary<string, JsonElement> groups)
        {
            foreach (var (group, rows) in groups)
            {
                var at = $"{path}.{group}[]";
                List<UsageRowOut>? parsed = null;
                try
                {
                    if (rows.ValueKind == JsonValueKind.Array)
                        parsed = rows.Deserialize(MistralJson.Default.ListUsageRowOut);
                }
                catch (JsonException e)
                {
                    drift.Report(Endpoint, at, $"rows not readable ({e.Message}): not counted");
                    continue;
                }

                if (parsed is null)
                {
                    if (rows.ValueKind != JsonValueKind.Null)
                        drift.Report(Endpoint, at, $"expected an array of rows, got {rows.ValueKind}: not counted");
                    continue;
                }

                foreach (var row in parsed)
                    Row(container, at, model, group, row);
            }
        }

        /// <summary>A fine-tuning storage entry: an integer per model (the spec), or groups of rows (as CodexBar reads it).</summary>
        public void Storage(string model, JsonElement storage)
        {
            var at = $"fine_tuning.storage.{model}";
            switch (storage.ValueKind)
            {
                case JsonValueKind.Number:
                    var units = storage.GetDecimal();
                    Lines.Add(new MistralLine
                    {
                        Container = "fine_tuning.storage", Month = month, ModelKey = model, Group = "storage", Path = at, Value = units, ValuePaid = units,
                    });
                    break;
                case JsonValueKind.Object:
                    Groups("fine_tuning.storage", at, model, storage.Deserialize(MistralJson.Default.DictionaryStringJsonElement) ?? []);
                    break;
                case JsonValueKind.Null:
                    break;
                default:
                    drift.Report(Endpoint, at, $"expected an integer, got {storage.ValueKind}: not counted");
                    break;
            }
        }

        /// <summary>
        /// Fields the spec does not name: a container with a <c>models</c> map is read (and reported), an object of
        /// such containers is walked, anything else that is not empty is reported and not read.
        /// </summary>
        public void Unknown(string parent, Dictionary<string, JsonElement>? fields)
        {
            foreach (var (name, value) in fields ?? [])
            {
                var path = parent.Length == 0 ? name : $"{parent}.{name}";
                if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("models", out var models) && models.ValueKind == JsonValueKind.Object)
                {
                    drift.Report(Endpoint, path, "a usage container the connector does not know: its rows are counted under their own category");
                    Basic(path, value.Deserialize(MistralJson.Default.BasicUsage));
                }
                else if (value.ValueKind == JsonValueKind.Object && value.EnumerateObject().Any(p => p.Value.ValueKind == JsonValueKind.Object))
                {
                    Unknown(path, value.Deserialize(MistralJson.Default.DictionaryStringJsonElement));
                }
                else if (!(value.ValueKind == JsonValueKind.Null
                    || (value.ValueKind == JsonValueKind.Object && !value.EnumerateObject().Any())
                    || (value.ValueKind == JsonValueKind.Number && value.GetDecimal() == 0)))
                {
                    drift.Report(Endpoint, path, $"a field the connector does not know ({value.ValueKind}): not read");
                }
            }
        }

        private void Row(string container, string at, string model, string group, UsageRowOut row)
        {
            var value = row.Value?.Read(drift, Endpoint, at + ".value");
            var paid = row.ValuePaid?.Read(drift, Endpoint, at + ".value_paid");
            if (value is null && paid is null)
            {
                drift.Report(Endpoint, at, "a row with neither value nor value_paid: not counted");
                return;
            }

            if (paid is null)
                drift.Report(Endpoint, at + ".value_paid", "missing or unreadable: all units are taken as billable");
            if (value is null)
                drift.Report(Endpoint, at + ".value", "missing or unreadable: the billable units are taken as all units");
            Lines.Add(new MistralLine
            {
                Container = container,
                Month = month,
                ModelKey = model,
                Group = group,
                Path = at,
                EventType = row.EventType,
                Metric = row.BillingMetric,
                BillingGroup = row.BillingGroup,
                Zone = row.ApiZone,
                Tier = row.ServiceTier,
                Day = DayOf(row.Timestamp, at),
                Value = value ?? paid!.Value,
                ValuePaid = paid ?? value!.Value,
            });
        }

        /// <summary>The row's UTC day: a date (<c>2026-11-20</c>, as sent) or a date-time; null when it has none.</summary>
        private DateTimeOffset? DayOf(JsonElement? timestamp, string at)
        {
            if (timestamp is not { } t || t.ValueKind == JsonValueKind.Null)
            {
                drift.Report(Endpoint, at + ".timestamp", "a row without timestamp: counted month to date");
                return null;
            }

            DateTimeOffset? day = t.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(t.GetString(), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
                ? Windows.FloorDay(parsed)
                : null;
            if (day is null)
            {
                drift.Report(Endpoint, at + ".timestamp", $"expected a date, got {(t.ValueKind == JsonValueKind.String ? $"'{t.GetString()}'" : t.ValueKind.ToString())}: counted month to date");
                return null;
            }

            var end = month.AddMonths(1);
            if (day >= month && day < end)
                return day;
            drift.Report(Endpoint, at + ".timestamp", $"{day:yyyy-MM-dd} is outside the month asked for ({month:yyyy-MM}): counted on the month's {(day < month ? "first" : "last")} day");
            return day < month ? month : end.AddDays(-1);
        }
    }
}
