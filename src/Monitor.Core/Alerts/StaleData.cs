using System.Globalization;

namespace Monitor.Core.Alerts;

/// <summary>
/// Decides which accounts have stale data: no successful pull for longer than <c>staleAfter</c> (or, for an account
/// never pulled successfully, since its first attempt). One alert per stale stretch: the dedup key names the last
/// success, so the next success starts a new stretch that may alert again.
/// </summary>
public static class StaleData
{
    public static IEnumerable<AlertDecision> Evaluate(IEnumerable<AccountPullState> accounts, DateTimeOffset now, TimeSpan staleAfter)
    {
        foreach (var a in accounts)
        {
            var since = a.LastOkAt ?? a.FirstAttemptAt;
            if (since is not { } s || now - s <= staleAfter)
                continue;
            var age = now - s;
            var last = a.LastOkAt is { } ok ? ok.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "never";
            var detail = a.LastOkAt is null
                ? $"No pull of {a.Account} has succeeded since the first attempt {Ago(age)} ago."
                : $"The last successful pull of {a.Account} was {Ago(age)} ago ({last}); spend since then is not in the ledger.";
            if (a.LastError is { Length: > 0 } error)
                detail += $" Last error: {error}";
            yield return new AlertDecision
            {
                Kind = AlertKind.StaleData,
                Severity = age > staleAfter * 4 ? AlertSeverity.Critical : AlertSeverity.Warning,
                Account = a.Account,
                Title = $"[Stale data] {a.Account}: no successful pull for {Ago(age)}",
                Detail = detail,
                DedupKey = $"stale_data:{a.Account}:{a.LastOkAt?.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) ?? "never"}",
            };
        }
    }

    private static string Ago(TimeSpan age) => age.TotalHours >= 48
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalDays} days")
        : string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalHours} h {age.Minutes} min");
}
