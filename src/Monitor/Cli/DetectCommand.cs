using System.CommandLine;
using System.Globalization;
using Monitor.Core.Anomalies;

namespace Monitor.Cli;

/// <summary>
/// <c>monitor detect --input FILE --output FILE</c>: scores a CSV time series (<c>timestamp,value</c>, header optional,
/// ISO 8601 or Unix seconds) with the anomaly detector, each point once and from the past only, and writes
/// <c>timestamp,value,anomaly_score</c> with scores in [0, 1]. Rows are scored in file order: a timestamp that goes back or
/// repeats (a clock change, a duplicated row) is scored where it stands, with one warning naming the first such line.
/// </summary>
public static class DetectCommand
{
    public static Command Create(Func<Func<Task<int>>, Task<int>> guard)
    {
        var input = new Option<string>("--input") { Description = "CSV with timestamp,value (ISO 8601 or Unix seconds)", Required = true };
        var output = new Option<string>("--output") { Description = "Where to write timestamp,value,anomaly_score", Required = true };
        var command = new Command("detect", "Score a time series CSV (timestamp,value) with the anomaly detector") { input, output };
        command.SetAction((p, ct) => guard(() => RunAsync(p.GetValue(input)!, p.GetValue(output)!, ct)));
        return command;
    }

    public static async Task<int> RunAsync(string inputPath, string outputPath, CancellationToken ct)
    {
        if (!File.Exists(inputPath))
            throw new BadInputException($"{inputPath}: no such file");
        var series = await ReadAsync(inputPath, ct);
        if (series.OutOfOrder > 0)
        {
            await Console.Error.WriteLineAsync(
                $"{inputPath}: line {series.FirstOutOfOrderLine}: timestamp: '{series.FirstOutOfOrderText}' is not after the line before; "
                + $"{series.OutOfOrder} such line{(series.OutOfOrder == 1 ? "" : "s")}, scored in file order");
        }

        var scores = new double[series.Values.Count];
        SeriesScoring.Score(series.Times.ToArray(), series.Values.ToArray(), scores);

        var temporary = outputPath + ".partial";
        await using (var writer = new StreamWriter(temporary))
        {
            await writer.WriteLineAsync("timestamp,value,anomaly_score");
            for (var i = 0; i < scores.Length; i++)
                await writer.WriteLineAsync($"{series.TimeTexts[i]},{series.ValueTexts[i]},{scores[i].ToString("0.######", CultureInfo.InvariantCulture)}");
        }

        File.Move(temporary, outputPath, overwrite: true);
        await Console.Error.WriteLineAsync($"{outputPath}: {scores.Length} points scored, {scores.Count(s => s >= 0.5)} at 0.5 or above");
        return MonitorCli.Ok;
    }

    private sealed class Series
    {
        public List<long> Times { get; } = [];
        public List<double> Values { get; } = [];
        public List<string> TimeTexts { get; } = [];
        public List<string> ValueTexts { get; } = [];

        /// <summary>Lines whose timestamp is not after the line before, and the first of them.</summary>
        public int OutOfOrder { get; set; }
        public int FirstOutOfOrderLine { get; set; }
        public string FirstOutOfOrderText { get; set; } = "";
    }

    private static async Task<Series> ReadAsync(string path, CancellationToken ct)
    {
        var series = new Series();
        var line = 0;
        using var reader = new StreamReader(path);
        while (await reader.ReadLineAsync(ct) is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
                continue;
            var fields = text.Split(',');
            if (fields.Length < 2)
                throw new BadInputException($"{path}: line {line}: value: missing (expected timestamp,value)");
            var timeText = Unquote(fields[0]);
            var valueText = Unquote(fields[1]);
            var hasTime = TryTime(timeText, out var time);
            if (series.Times.Count == 0 && !hasTime && !double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                continue; // the header
            if (!hasTime)
                throw new BadInputException($"{path}: line {line}: timestamp: '{timeText}' is not an ISO 8601 time or Unix seconds");
            if (!double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
                throw new BadInputException($"{path}: line {line}: value: '{valueText}' is not a number");
            if (series.Times.Count > 0 && time <= series.Times[^1] && series.OutOfOrder++ == 0)
            {
                series.FirstOutOfOrderLine = line;
                series.FirstOutOfOrderText = timeText;
            }

            series.Times.Add(time);
            series.Values.Add(value);
            series.TimeTexts.Add(timeText);
            series.ValueTexts.Add(valueText);
        }

        return series;
    }

    private static string Unquote(string field)
    {
        var f = field.Trim();
        return f.Length >= 2 && f[0] == '"' && f[^1] == '"' ? f[1..^1] : f;
    }

    private static bool TryTime(string text, out long unixSeconds)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && text.All(ch => char.IsDigit(ch) || ch is '.' or '-'))
        {
            unixSeconds = (long)Math.Floor(seconds);
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
        {
            unixSeconds = t.ToUnixTimeSeconds();
            return true;
        }

        unixSeconds = 0;
        return false;
    }
}
