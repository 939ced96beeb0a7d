namespace Monitor.Ledger.Focus;

/// <summary>
/// What one FOCUS row of a ledger record measures. The token classes do not overlap (the ledger's input tokens are the
/// uncached ones; reasoning tokens are part of the output and never a row of their own), so ConsumedQuantity of a row is
/// tokens of exactly one class. <see cref="Units"/> carries billed units that are not tokens (pages, images, calls);
/// <see cref="Requests"/> a cost the provider reports with no token or unit count.
/// </summary>
public enum ChargeMeter
{
    InputTokens,
    CacheReadTokens,
    CacheWriteTokens,
    OutputTokens,
    Units,
    Requests,
}
