namespace Monitor.Core.Anomalies;

/// <summary>
/// What a series did well above its usual level on days that recur: the same weekday, the same day of the month, the
/// same day counted from the month's end, the same business day from the start or the end of the month, and the same
/// (business) day before a quarter's end (UTC days). A day that ran far above the baseline is remembered
/// under each of its anchors, with the level it reached at each step of the day; when a day that shares an anchor comes
/// round, that level is expected again from the day before it to the day after it (a team far from UTC runs its
/// month's first-day job on the UTC day before; the first business day moves with weekends), at the same steps (one
/// step either side, for a job that moves with DST), whatever the weekday's usual. A monthly or quarterly anchor is
/// expected once seen, a weekly one once seen twice (its second occasion comes a week later, and a one-off incident
/// must not hide another at the same hour a week on). An anchor whose occasion passes without it is forgotten (after
/// as many absences as it had recurrences, up to three), so a one-off incident is forgotten at the next occasion and
/// a month-end batch, once seen, is the key's normal at the next month's end.
/// <para>Levels are in the detector's compressed units. The memory holds at most <see cref="MaxEntries"/> anchors and
/// allocates nothing for a series that never runs far above its usual level.</para>
/// </summary>
public sealed class RecurrenceMemory
{
    public const int MaxEntries = 16;
    private const int MaxSeen = 3;
    private const int MaxAnchors = 8;

    /// <summary>A step this many scales above its usual is notable (part of a remembered day).</summary>
    private const double Notable = 2;

    /// <summary>A day is remembered when a step ran this many scales above anything confirmed for it.</summary>
    private const double Fresh = 4;

    /// <summary>
    /// A remembered level counts as seen again when reached within this much (a factor of two), and is expected up to
    /// as much beyond it: a batch's size varies from month to month.
    /// </summary>
    public static readonly double Tolerance = Math.Log(2);

    private readonly int _slots;
    private readonly long _stepSeconds;
    private readonly double[] _expected;
    private readonly bool[] _learnable;
    private readonly double[] _confirmed;
    private readonly double[] _observed;
    private readonly double[] _notable;
    private readonly List<Entry> _entries = [];
    // The anchors of the day before, this day and the day after.
    private readonly int[] _before = new int[MaxAnchors];
    private readonly int[] _anchors = new int[MaxAnchors];
    private readonly int[] _after = new int[MaxAnchors];
    private int _beforeCount;
    private int _anchorCount;
    private int _afterCount;
    private bool _fresh;
    private bool _quarterUnseen;
    private long _day = long.MinValue;
    private long _dayStep = long.MinValue / 2;

    /// <param name="stepSeconds">The series' step: an hour or a day (see <see cref="Supports"/>).</param>
    public RecurrenceMemory(long stepSeconds)
    {
        _stepSeconds = stepSeconds;
        _slots = (int)(86_400 / stepSeconds);
        _expected = new double[_slots];
        _learnable = new bool[_slots];
        _confirmed = new double[_slots];
        _observed = new double[_slots];
        _notable = new double[_slots];
        Array.Fill(_observed, double.NaN);
        Array.Fill(_notable, double.NaN);
    }

    public static bool Supports(long stepSeconds) => stepSeconds is 3_600 or 86_400;

    /// <summary>Anchors currently remembered.</summary>
    public int Count => _entries.Count;

    /// <summary>
    /// Whether the day of the step last given to <see cref="Expect"/> is one of a quarter's closing days (its last
    /// three, or the next month's first, for zones west of UTC) with nothing remembered for a quarter's end: a surge
    /// there may be a quarter-end job seen for the first time.
    /// </summary>
    public bool QuarterEndUnseen => _quarterUnseen;

    /// <summary>
    /// The level that recurring days lead the series to expect at <paramref name="step"/> (negative infinity when
    /// none), and whether it comes from a weekly pattern (the weekly baseline may then learn it; a monthly one it must
    /// not). Moving to a new day settles the day before.
    /// </summary>
    public (double Level, bool Learnable) Expect(long step)
    {
        var slot = SlotOf(step);
        return (_expected[slot], _learnable[slot]);
    }

    /// <summary>
    /// Notes the step's level <paramref name="y"/> against its <paramref name="usual"/> and scale; call after
    /// <see cref="Expect"/> for the same step. A step the detector found <paramref name="anomalous"/> above its usual
    /// is remembered whatever its size (a noisy key's quarter-end job may stand out as a ramp only). A remembered day
    /// is seen again when its levels are reached, whether or not the baseline has learned them meanwhile.
    /// </summary>
    public void Observe(long step, double y, double usual, double sigma, bool anomalous)
    {
        var slot = SlotOf(step);
        _observed[slot] = double.IsNaN(_observed[slot]) ? y : Math.Max(_observed[slot], y);
        if (y - usual <= (anomalous ? 0 : Notable * sigma))
            return;
        _notable[slot] = double.IsNaN(_notable[slot]) ? y : Math.Max(_notable[slot], y);
        _fresh |= y - Math.Max(usual, _confirmed[slot]) > (anomalous ? 0 : Fresh * sigma);
    }

    // The step's slot in its UTC day, moving to that day first if need be (one division a day, not a step).
    private int SlotOf(long step)
    {
        var slot = step - _dayStep;
        if (slot >= 0 && slot < _slots)
            return (int)slot;
        var seconds = step * _stepSeconds;
        var day = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400;
        if (day != _day)
            StartDay(day);
        _dayStep = day * 86_400 / _stepSeconds;
        return (int)(step - _dayStep);
    }

    private void StartDay(long day)
    {
        if (_day != long.MinValue)
            Settle();
        _day = day;
        _fresh = false;
        Array.Fill(_observed, double.NaN);
        Array.Fill(_notable, double.NaN);
        Array.Fill(_expected, double.NegativeInfinity);
        Array.Fill(_confirmed, double.NegativeInfinity);
        Array.Clear(_learnable);
        _beforeCount = Anchors(day - 1, _before);
        _anchorCount = Anchors(day, _anchors);
        _afterCount = Anchors(day + 1, _after);
        var (_, month, dayOfMonth) = Civil(day);
        _quarterUnseen = (month % 3 == 0 && DateTime.DaysInMonth(Civil(day).Year, month) - dayOfMonth < 3) || (month % 3 == 1 && dayOfMonth == 1);
        foreach (var e in _entries)
        {
            if ((AnchorKind)(e.Anchor >> 8) is AnchorKind.FromQuarterEnd or AnchorKind.BusinessFromQuarterEnd)
                _quarterUnseen = false;
            if (!InOccasion(e.Anchor))
                continue;
            // A batch that runs over a month's last days is one occasion: its first day sets up the next.
            var kind = (AnchorKind)(e.Anchor >> 8);
            var weekly = kind == AnchorKind.Weekday;
            var closing = kind is AnchorKind.FromMonthEnd or AnchorKind.BusinessFromMonthEnd or AnchorKind.FromQuarterEnd or AnchorKind.BusinessFromQuarterEnd;
            if (e.Seen < (weekly ? 2 : closing ? 0 : 1))
                continue;
            for (var s = 0; s < _slots; s++)
            {
                // One step either side: a job an hour later after a clock change is the same job.
                var level = Near(e.Levels, s);
                if (level > _expected[s])
                    (_expected[s], _learnable[s]) = (level, weekly);
                if (e.Seen >= 2)
                    _confirmed[s] = Math.Max(_confirmed[s], level);
            }
        }
    }

    // The day just ended: an anchor's occasion (the day before its day to the day after) that saw its levels again
    // confirms it, one that did not weakens it; a day that ran far above anything confirmed for it is remembered
    // under each of its anchors that has no entry yet.
    private void Settle()
    {
        for (var i = _entries.Count - 1; i >= 0; i--)
        {
            var e = _entries[i];
            if (!InOccasion(e.Anchor))
                continue;
            for (var s = 0; s < _slots; s++)
            {
                if (!double.IsNaN(e.Levels[s]) && Near(_observed, s) >= e.Levels[s] - Tolerance)
                    e.Reached |= 1 << s;
            }

            if (e.Reached != 0)
            {
                for (var s = 0; s < _slots; s++)
                {
                    if (double.IsNaN(_notable[s]))
                        continue;
                    e.Levels[s] = double.IsNaN(e.Levels[s]) ? _notable[s] : 0.5 * e.Levels[s] + 0.5 * _notable[s];
                    e.Reached |= 1 << s;
                }
            }

            // An occasion ends the day after its day: the steps it did not reach are dropped (what recurs is the
            // batch, not the busy morning that came with it once), and an occasion that reached none weakens it. Once
            // confirmed, its steps stay: an occasion a holiday moved away must not leave the batch's hours unexpected
            // at the next one.
            if (!Contains(_before, _beforeCount, e.Anchor))
                continue;
            for (var s = 0; s < _slots && e.Seen < 2; s++)
            {
                if ((e.Reached & (1 << s)) == 0)
                    e.Levels[s] = double.NaN;
            }

            e.Seen = e.Reached != 0 ? Math.Min(e.Seen + 1, MaxSeen) : e.Seen - 1;
            e.Reached = 0;
            if (e.Seen <= 0)
                _entries.RemoveAt(i);
        }

        if (!_fresh)
            return;
        var all = 0;
        for (var s = 0; s < _slots; s++)
            all |= double.IsNaN(_notable[s]) ? 0 : 1 << s;
        for (var a = 0; a < _anchorCount; a++)
        {
            if (_entries.Exists(e => e.Anchor == _anchors[a]))
                continue;
            if (_entries.Count >= MaxEntries)
            {
                // The weakest goes, the newest of them first: a quarter's anchor, seen once months ago, outlives
                // yesterday's one-off.
                var weakest = _entries.Min(e => e.Seen);
                _entries.RemoveAt(_entries.FindLastIndex(e => e.Seen == weakest));
            }
            var levels = (double[])_notable.Clone();
            // Seen once: the occasion that created it ends tomorrow and counts it then.
            _entries.Add(new Entry { Anchor = _anchors[a], Levels = levels, Seen = 0, Reached = all });
        }
    }

    private bool InOccasion(int anchor) =>
        Contains(_anchors, _anchorCount, anchor) || Contains(_before, _beforeCount, anchor) || Contains(_after, _afterCount, anchor);

    private static bool Contains(int[] anchors, int count, int anchor)
    {
        for (var a = 0; a < count; a++)
        {
            if (anchors[a] == anchor)
                return true;
        }

        return false;
    }

    // The highest of a slot's and its neighbours' values (NaN ones ignored; negative infinity when none).
    private double Near(double[] values, int s)
    {
        var best = double.NegativeInfinity;
        for (var i = Math.Max(0, s - 1); i <= Math.Min(_slots - 1, s + 1); i++)
        {
            if (values[i] > best)
                best = values[i];
        }

        return best;
    }

    public void Save(BinaryWriter w)
    {
        w.Write(_day);
        w.Write(_entries.Count);
        foreach (var e in _entries)
        {
            w.Write(e.Anchor);
            w.Write((byte)e.Seen);
            w.Write(e.Reached);
            foreach (var v in e.Levels)
                w.Write(v);
        }

        w.Write(_fresh);
        for (var s = 0; s < _slots; s++)
        {
            w.Write(_observed[s]);
            w.Write(_notable[s]);
        }
    }

    public void Restore(BinaryReader r)
    {
        var day = r.ReadInt64();
        var count = r.ReadInt32();
        for (var i = 0; i < count; i++)
        {
            var e = new Entry { Anchor = r.ReadInt32(), Seen = r.ReadByte(), Reached = r.ReadInt32(), Levels = new double[_slots] };
            for (var s = 0; s < _slots; s++)
                e.Levels[s] = r.ReadDouble();
            _entries.Add(e);
        }

        var fresh = r.ReadBoolean();
        var observed = new double[_slots];
        var notable = new double[_slots];
        for (var s = 0; s < _slots; s++)
        {
            observed[s] = r.ReadDouble();
            notable[s] = r.ReadDouble();
        }

        if (day == long.MinValue)
            return;
        // Recompute the day's anchors and expectations, then put back what the day has seen so far.
        StartDay(day);
        _dayStep = day * 86_400 / _stepSeconds;
        _fresh = fresh;
        observed.CopyTo(_observed, 0);
        notable.CopyTo(_notable, 0);
    }

    /// <summary>Kinds of anchor; an anchor is its kind times 256 plus its index.</summary>
    private enum AnchorKind
    {
        Weekday = 1,
        MonthDay,
        FromMonthEnd,
        BusinessDay,
        BusinessFromMonthEnd,
        FromQuarterEnd,
        BusinessFromQuarterEnd,
        FromFirstBusinessDay,
    }

    /// <summary>The anchors of a UTC day (days since the Unix epoch).</summary>
    private static int Anchors(long day, int[] into)
    {
        var n = 0;
        var weekday = (int)(((day + 3) % 7 + 7) % 7); // 1970-01-01 was a Thursday; Monday is 0
        into[n++] = Anchor(AnchorKind.Weekday, weekday);
        var (year, month, dayOfMonth) = Civil(day);
        var length = DateTime.DaysInMonth(year, month);
        into[n++] = Anchor(AnchorKind.MonthDay, dayOfMonth);
        var fromEnd = length - dayOfMonth;
        var quarterEnd = month % 3 == 0;
        if (fromEnd < 7)
        {
            into[n++] = Anchor(AnchorKind.FromMonthEnd, fromEnd);
            if (quarterEnd)
                into[n++] = Anchor(AnchorKind.FromQuarterEnd, fromEnd);
        }

        // Days from the nearest first business day of a month (this one's or the next's): a job on a month's first
        // business day, far east of UTC, runs on the UTC day before it, which a weekend moves across the month's end.
        var first = (weekday - (dayOfMonth - 1) % 7 + 7) % 7; // the weekday of the month's first day
        var start = fromEnd < 3 ? day + fromEnd + 1 : dayOfMonth <= 7 ? day - dayOfMonth + 1 : long.MinValue;
        if (start != long.MinValue)
        {
            var startWeekday = fromEnd < 3 ? (weekday + fromEnd + 1) % 7 : first;
            var firstBusiness = start + (startWeekday == 5 ? 2 : startWeekday == 6 ? 1 : 0);
            if (day - firstBusiness is >= -3 and <= 4)
                into[n++] = Anchor(AnchorKind.FromFirstBusinessDay, (int)(day - firstBusiness + 3));
        }

        if (weekday < 5)
        {
            // Business days (Monday to Friday) from the month's start, and left until its end.
            var before = Weekdays(first, dayOfMonth - 1);
            var after = Weekdays((weekday + 1) % 7, fromEnd);
            if (before < 5)
                into[n++] = Anchor(AnchorKind.BusinessDay, before);
            if (after < 5)
            {
                into[n++] = Anchor(AnchorKind.BusinessFromMonthEnd, after);
                if (quarterEnd)
                    into[n++] = Anchor(AnchorKind.BusinessFromQuarterEnd, after);
            }
        }

        return n;
    }

    private static int Anchor(AnchorKind kind, int index) => ((int)kind << 8) | index;

    // Weekdays among `count` consecutive days starting on weekday `start` (Monday 0).
    private static int Weekdays(int start, int count)
    {
        var full = count / 7 * 5;
        for (var i = 0; i < count % 7; i++)
            full += (start + i) % 7 < 5 ? 1 : 0;
        return full;
    }

    // Year, month and day of a day number since 1970-01-01 (proleptic Gregorian; H. Hinnant's civil_from_days).
    private static (int Year, int Month, int Day) Civil(long days)
    {
        var z = days + 719_468;
        var era = (z >= 0 ? z : z - 146_096) / 146_097;
        var doe = z - era * 146_097;
        var yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        var doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        var mp = (5 * doy + 2) / 153;
        var d = (int)(doy - (153 * mp + 2) / 5 + 1);
        var m = (int)(mp < 10 ? mp + 3 : mp - 9);
        return ((int)(yoe + era * 400 + (m <= 2 ? 1 : 0)), m, d);
    }

    private sealed class Entry
    {
        public required int Anchor { get; init; }

        /// <summary>The level reached at each step of the day (NaN where the day was not notable).</summary>
        public required double[] Levels { get; init; }

        /// <summary>Occasions that saw it again, less those that did not (it is forgotten at 0).</summary>
        public int Seen { get; set; }

        /// <summary>The steps (bits) the current occasion has seen it reach again.</summary>
        public int Reached { get; set; }
    }
}
