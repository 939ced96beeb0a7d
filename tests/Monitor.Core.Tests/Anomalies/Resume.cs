using Monitor.Core.Anomalies;

namespace Monitor.Core.Tests.Anomalies;

/// <summary>A detector saved part-way and restored must go on exactly as one that never stopped (the incremental check relies on it).</summary>
internal static class Resume
{
    /// <summary>Scores steps <paramref name="from"/> to <paramref name="to"/> whole, and saved at <paramref name="split"/> then restored; asserts every point after the split is the same.</summary>
    public static void AssertSameAsUninterrupted(Func<long, double> value, long from, long split, long to)
    {
        var settings = DetectorSettings.ForStep(TimeSpan.FromHours(1));
        var whole = new SeriesDetector(settings);
        var first = new SeriesDetector(settings);
        for (var step = from; step < split; step++)
        {
            whole.Next(step, value(step));
            first.Next(step, value(step));
        }

        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
            first.Save(w);
        buffer.Position = 0;
        var resumed = new SeriesDetector(settings);
        resumed.Restore(new BinaryReader(buffer));

        for (var step = split; step < to; step++)
            Assert.Equal(whole.Next(step, value(step)), resumed.Next(step, value(step)));
    }
}
