namespace Monitor.Core.Usage;

/// <summary>
/// One model on one day: the provider's reported usage beside the proxy's metered usage. Costs are null where a side
/// has unpriced usage or the sides' currencies differ; a negative gap means the proxy metered more (timing, or a model
/// the two sides name differently).
/// </summary>
public sealed record UnmeteredLine
{
    public required string Model { get; init; }
    public string? Currency { get; init; }
    public long? ReportedMicros { get; init; }
    public long? MeteredMicros { get; init; }
    public long ReportedTokens { get; init; }
    public long MeteredTokens { get; init; }
    public long ReportedRequests { get; init; }
    public long MeteredRequests { get; init; }

    public long? GapMicros => ReportedMicros is { } r && MeteredMicros is { } m ? r - m : null;
    public long GapTokens => ReportedTokens - MeteredTokens;
}
