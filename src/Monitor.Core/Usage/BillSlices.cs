namespace Monitor.Core.Usage;

/// <summary>
/// Names the connectors give to the parts of a bill that no key, model or workspace explains, so that they are
/// ledgered (never lost) and every report can tell them apart from ordinary usage.
/// </summary>
public static class BillSlices
{
    /// <summary>A key or model the provider's figures cannot name: deleted keys, keyless use, a cost line naming no model.</summary>
    public const string Unattributed = "(unattributed)";

    /// <summary>What an organisation-wide total holds beyond the sum of its workspaces (Mistral).</summary>
    public const string OutsideWorkspaces = "(outside any workspace)";
}
