namespace Monitor.Storage;

/// <summary>
/// The UTC days, per account, that one ledger write changed: the day of every record it upserted and every day of
/// every window it replaced. <see cref="Ranges"/> folds them into as few day-aligned ranges as possible, which
/// <see cref="UsageRollup.RefreshAsync"/> then recomputes.
/// </summary>
public sealed class TouchedDays
{
    private readonly Dictionary<string, HashSet<long>> _days = new(StringComparer.Ordinal);
    private readonly List<(string Account, long From, long To)> _windows = [];

    // The hot path: consecutive records mostly share account and day, so those are remembered.
    private string? _lastAccount;
    private HashSet<long>? _lastDays;
    private long _lastDay = long.MinValue;

    public bool IsEmpty => _days.Count == 0 && _windows.Count == 0;

    /// <summary>A record starting at <paramref name="bucketStart"/> (Unix seconds) was written.</summary>
    public void Add(string account, long bucketStart)
    {
        var day = UsageRollup.DayOf(bucketStart);
        if (!ReferenceEquals(account, _lastAccount))
        {
            if (!_days.TryGetValue(account, out _lastDays))
                _days[account] = _lastDays = [];
            _lastAccount = account;
        }
        else if (day == _lastDay)
        {
            return;
        }

        _lastDays!.Add(day);
        _lastDay = day;
    }

    /// <summary>Records of <paramref name="account"/> in [<paramref name="from"/>, <paramref name="to"/>) (Unix seconds) may have been removed.</summary>
    public void AddWindow(string account, long from, long to)
    {
        if (to > from)
            _windows.Add((account, UsageRollup.DayOf(from), UsageRollup.DayOf(to - 1) + UsageRollup.Day));
    }

    /// <summary>Per account, the merged day-aligned ranges [From, To) that cover every touched day, in order.</summary>
    public IReadOnlyList<(string Account, long From, long To)> Ranges()
    {
        var result = new List<(string, long, long)>();
        foreach (var group in _days.Select(d => d.Key).Union(_windows.Select(w => w.Account), StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var spans = _days.GetValueOrDefault(group, []).Select(d => (From: d, To: d + UsageRollup.Day))
                .Concat(_windows.Where(w => w.Account == group).Select(w => (w.From, w.To)))
                .OrderBy(s => s.From);
            (long From, long To)? open = null;
            foreach (var span in spans)
            {
                if (open is { } o && span.From <= o.To)
                {
                    open = (o.From, Math.Max(o.To, span.To));
                    continue;
                }

                if (open is { } done)
                    result.Add((group, done.From, done.To));
                open = span;
            }

            if (open is { } last)
                result.Add((group, last.From, last.To));
        }

        return result;
    }
}
