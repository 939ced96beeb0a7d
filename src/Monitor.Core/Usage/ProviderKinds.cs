namespace Monitor.Core.Usage;

/// <summary>Provider kinds as they appear in the ledger and exports: mistral, openai, openai_compatible, ...</summary>
public static class ProviderKinds
{
    private static readonly string[] WireNames =
        [.. Enum.GetValues<ProviderKind>().Select(k => k == ProviderKind.OpenAICompatible ? "openai_compatible" : k.ToString().ToLowerInvariant())];

    public static string ToWire(this ProviderKind kind) => WireNames[(int)kind];

    /// <summary>Accepts the wire form (openai_compatible) and the configuration form (OpenAICompatible).</summary>
    public static bool TryParse(string? text, out ProviderKind kind)
    {
        var compact = text?.Trim().Replace("_", "", StringComparison.Ordinal);
        if (!string.IsNullOrEmpty(compact) && !char.IsDigit(compact[0])
            && Enum.TryParse(compact, ignoreCase: true, out kind))
            return true;
        kind = default;
        return false;
    }
}
