using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Monitor.Core.Anomalies;
using static System.FormattableString;

namespace Monitor.Benchmarks;

/// <summary>
/// The Numenta Anomaly Benchmark (numenta/NAB, MIT): every series of its corpus scored as <c>monitor detect</c> scores a
/// CSV (each point once, from the past only, rows in file order), written where NAB's runner reads results
/// (<c>results/monitor/&lt;category&gt;/monitor_&lt;file&gt;.csv</c>), then NAB's own scorer run twice: with its
/// threshold optimisation, and at the threshold the product ships with (0.5). Figures: the three profiles' normalised
/// scores (null detector 0, perfect 100). Nothing of NAB is in this repository: the checkout's path is an argument
/// (<c>git clone https://github.com/numenta/NAB</c>; Python 3 with pandas and simplejson, e.g. Debian's
/// python3-pandas and python3-simplejson).
/// </summary>
public static class NabBenchmark
{
    public const string Detector = "monitor";
    public const double ShippedThreshold = 0.5;

    private static readonly string[] Profiles = ["standard", "reward_low_FP_rate", "reward_low_FN_rate"];

    public sealed record Scores(IReadOnlyDictionary<string, double> Optimised, IReadOnlyDictionary<string, double> AtShipped, int Files, int Points, TimeSpan Scoring);

    public static async Task<int> RunAsync(string nab, string python, CancellationToken ct)
    {
        if (!File.Exists(Path.Combine(nab, "run.py")) || !File.Exists(Path.Combine(nab, "labels", "combined_windows.json")))
        {
            await Console.Error.WriteLineAsync($"{nab}: not a NAB checkout (run.py and labels/combined_windows.json expected); git clone https://github.com/numenta/NAB");
            return 2;
        }

        Console.WriteLine(Invariant($"nab: {nab}, scored as monitor detect scores a CSV, then NAB's scorer ({python}) ..."));
        var scores = await ScoreAsync(nab, python, ct);
        Console.WriteLine(Invariant($"  {scores.Files} series, {scores.Points:N0} points scored in {scores.Scoring.TotalSeconds:F1} s"));
        foreach (var profile in Profiles)
            Console.WriteLine(Invariant($"  {profile,-20} optimised threshold {scores.Optimised[profile],6:F2}   at the shipped threshold {ShippedThreshold}: {scores.AtShipped[profile],6:F2}"));
        Console.WriteLine("  (NAB's published figures: null 0, windowed Gaussian 39.6, relative entropy 54.6, CAD OSE 69.9, HTM 70.5, ARTime 74.9)");
        return 0;
    }

    public static async Task<Scores> ScoreAsync(string nab, string python, CancellationToken ct)
    {
        var windows = JsonSerializer.Deserialize<Dictionary<string, List<List<string>>>>(await File.ReadAllTextAsync(Path.Combine(nab, "labels", "combined_windows.json"), ct))!;
        var watch = Stopwatch.StartNew();
        var points = 0;
        foreach (var (relative, fileWindows) in windows.OrderBy(w => w.Key, StringComparer.Ordinal))
            points += await WriteResultAsync(nab, relative, fileWindows, ct);
        var scoring = watch.Elapsed;

        var thresholds = Path.Combine(Path.GetTempPath(), $"nab-thresholds-{Environment.ProcessId}.json");
        try
        {
            // NAB's own optimiser picks each profile's best threshold, then scores and normalises.
            await File.WriteAllTextAsync(thresholds, "{}", ct);
            await RunNabAsync(nab, python, ["--optimize", "--score", "--normalize"], thresholds, ct);
            var optimised = await FinalScoresAsync(nab, ct);
            // The same scorer at the product's threshold.
            await File.WriteAllTextAsync(thresholds, JsonSerializer.Serialize(new Dictionary<string, object>
            {
                [Detector] = Profiles.ToDictionary(p => p, _ => new { threshold = ShippedThreshold, score = 0.0 }),
            }), ct);
            await RunNabAsync(nab, python, ["--score", "--normalize"], thresholds, ct);
            var shipped = await FinalScoresAsync(nab, ct);
            return new Scores(optimised, shipped, windows.Count, points, scoring);
        }
        finally
        {
            File.Delete(thresholds);
        }
    }

    // Scores one data file and writes NAB's results file for it: timestamp,value,anomaly_score,label (1 in a window).
    private static async Task<int> WriteResultAsync(string nab, string relative, List<List<string>> fileWindows, CancellationToken ct)
    {
        var lines = (await File.ReadAllLinesAsync(Path.Combine(nab, "data", relative), ct)).Skip(1).Where(l => l.Length > 0).ToList();
        var times = new long[lines.Count];
        var values = new double[lines.Count];
        var texts = new string[lines.Count];
        var stamps = new DateTime[lines.Count];
        for (var i = 0; i < lines.Count; i++)
        {
            var fields = lines[i].Split(',');
            texts[i] = fields[0];
            stamps[i] = DateTime.Parse(fields[0], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            times[i] = new DateTimeOffset(stamps[i], TimeSpan.Zero).ToUnixTimeSeconds();
            values[i] = double.Parse(fields[1], CultureInfo.InvariantCulture);
        }

        var scores = new double[lines.Count];
        SeriesScoring.Score(times, values, scores);
        var ranges = fileWindows.Select(w => (
            From: DateTime.Parse(w[0], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
            To: DateTime.Parse(w[1], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal))).ToList();

        var path = Path.Combine(nab, "results", Detector, Path.GetDirectoryName(relative)!, Detector + "_" + Path.GetFileName(relative));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var text = new StringBuilder("timestamp,value,anomaly_score,label\n");
        for (var i = 0; i < lines.Count; i++)
        {
            var label = ranges.Any(r => stamps[i] >= r.From && stamps[i] <= r.To) ? 1 : 0;
            text.Append(CultureInfo.InvariantCulture, $"{texts[i]},{lines[i].Split(',')[1]},{scores[i].ToString("0.########", CultureInfo.InvariantCulture)},{label}\n");
        }

        await File.WriteAllTextAsync(path, text.ToString(), ct);
        return lines.Count;
    }

    private static async Task RunNabAsync(string nab, string python, string[] steps, string thresholds, CancellationToken ct)
    {
        var start = new ProcessStartInfo(python) { WorkingDirectory = nab, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["run.py", "-d", Detector, .. steps, "--skipConfirmation", "-t", thresholds])
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {python}");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"NAB's run.py exited with {process.ExitCode}: {(await errors).Trim()}\n{await output}");
    }

    // The normalised scores the run just wrote to results/final_results.json (its console rounds them to 0.01).
    private static async Task<Dictionary<string, double>> FinalScoresAsync(string nab, CancellationToken ct)
    {
        var all = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, double>>>(
            await File.ReadAllTextAsync(Path.Combine(nab, "results", "final_results.json"), ct))!;
        if (!all.TryGetValue(Detector, out var scores) || !Profiles.All(scores.ContainsKey))
            throw new InvalidOperationException($"{nab}/results/final_results.json holds no scores of '{Detector}'");
        return scores;
    }
}
