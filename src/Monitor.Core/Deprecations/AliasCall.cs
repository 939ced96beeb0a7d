using Monitor.Core.Pricing;

namespace Monitor.Core.Deprecations;

/// <summary>A key (or, without key attribution, a workspace) calling an alias such as <c>mistral-large-latest</c> this month.</summary>
public sealed record AliasCall(
    string Account, string Workspace, string KeyId, string? KeyName, string Alias, string? ResolvesTo, long Requests, decimal Cost, Currency Currency);
