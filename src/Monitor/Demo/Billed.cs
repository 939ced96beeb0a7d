using Monitor.Core.Usage;

namespace Monitor.Demo;

/// <summary>What a fake provider billed for one key, model and minute: tokens by category, requests, OCR pages.</summary>
public sealed record Billed(TokenCounts Tokens, long Requests, long Pages);
