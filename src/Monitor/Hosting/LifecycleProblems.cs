using System.Text.RegularExpressions;
using Monitor.Core.Usage;
using Monitor.Deprecations;

namespace Monitor.Hosting;

/// <summary>The configuration checks of <c>Monitor:Deprecations</c> and <c>Monitor:Keys</c>, one line per problem naming the key.</summary>
public static class LifecycleProblems
{
    public static IEnumerable<string> Of(MonitorOptions o)
    {
        const string d = MonitorOptions.Section + ":Deprecations";
        const string k = MonitorOptions.Section + ":Keys";
        if (o.Deprecations.UsedWithinDays is < 1 or > 365)
            yield return $"{d}:UsedWithinDays: {o.Deprecations.UsedWithinDays} must be between 1 and 365";
        if (!IsRegex(o.Deprecations.ProductionKeys))
            yield return $"{d}:ProductionKeys: '{o.Deprecations.ProductionKeys}' is not a regular expression";
        if (!string.IsNullOrWhiteSpace(o.Deprecations.LifecycleFile) && LoadError(o.Deprecations.LifecycleFile) is { } error)
            yield return $"{d}:LifecycleFile: {error}";

        if (o.Keys.MaxAge < TimeSpan.Zero)
            yield return $"{k}:MaxAge: must not be negative (0 turns it off)";
        if (o.Keys.UnusedAfter < TimeSpan.Zero)
            yield return $"{k}:UnusedAfter: must not be negative (0 turns it off)";
        if (o.Keys.RotationGrace <= TimeSpan.Zero)
            yield return $"{k}:RotationGrace: must be positive";

        for (var i = 0; i < o.Keys.Policies.Count; i++)
        {
            var p = o.Keys.Policies[i];
            var at = $"{k}:Policies:{i}";
            if (p.Provider is null && p.Account is null && p.KeyId is null)
                yield return $"{at}: set Provider, Account or KeyId (which keys the rule is for)";
            if (p.Provider is not null && !Enum.TryParse<ProviderKind>(p.Provider, ignoreCase: true, out _))
                yield return $"{at}:Provider: '{p.Provider}' is not a provider kind";
            if (p.MaxAge < TimeSpan.Zero)
                yield return $"{at}:MaxAge: must not be negative (0 turns it off)";
            if (p.UnusedAfter < TimeSpan.Zero)
                yield return $"{at}:UnusedAfter: must not be negative (0 turns it off)";
        }

        var names = new HashSet<(string, string)>();
        for (var i = 0; i < o.Keys.Declared.Count; i++)
        {
            var key = o.Keys.Declared[i];
            var at = $"{k}:Declared:{i}";
            if (string.IsNullOrWhiteSpace(key.Name))
                yield return $"{at}:Name: is required";
            if (string.IsNullOrWhiteSpace(key.Account))
                yield return $"{at}:Account: is required (the provider account the key belongs to)";
            else if (!names.Add((key.Account, DeclaredKeyId(key))))
                yield return $"{at}:KeyId: '{DeclaredKeyId(key)}' is declared twice for {key.Account}";
            if (key.CreatedAt is null)
                yield return $"{at}:CreatedAt: is required (when the key was created, e.g. 2026-03-01)";
            if (key.ExpiresAt is { } e && key.CreatedAt is { } c && e <= c)
                yield return $"{at}:ExpiresAt: must be after CreatedAt";
            if (!string.IsNullOrEmpty(key.Owner) && (!key.Owner.Contains('@', StringComparison.Ordinal) || !MimeKit.MailboxAddress.TryParse(key.Owner, out _)))
                yield return $"{at}:Owner: '{key.Owner}' is not an email address";
            if (key.KeyId.StartsWith("sk-", StringComparison.Ordinal) && key.KeyId.Length > 20)
                yield return $"{at}:KeyId: looks like a key, not a key id (never put a key in the configuration)";
        }
    }

    /// <summary>The id a declared key is stored under: its KeyId, else <c>declared:{Name}</c>.</summary>
    public static string DeclaredKeyId(DeclaredKeyOptions key) =>
        string.IsNullOrWhiteSpace(key.KeyId) ? $"declared:{key.Name.Trim()}" : key.KeyId.Trim();

    private static string? LoadError(string file)
    {
        try
        {
            LifecycleCatalogLoader.Load(file);
            return null;
        }
        catch (BadInputException e)
        {
            return e.Message.StartsWith(MonitorOptions.Section, StringComparison.Ordinal) ? e.Message[(e.Message.IndexOf(": ", StringComparison.Ordinal) + 2)..] : e.Message;
        }
    }

    private static bool IsRegex(string pattern)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
