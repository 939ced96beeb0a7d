namespace Monitor.Storage;

/// <summary>A scope's usage of one model on one UTC day (Unix seconds of its midnight).</summary>
public sealed record UsageDay(long Day, string Model, string Currency, long Requests, long CostMicros);
