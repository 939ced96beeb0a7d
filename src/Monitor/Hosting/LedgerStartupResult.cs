using Monitor.Storage;

namespace Monitor.Hosting;

/// <summary>What <see cref="LedgerStartup"/> did: the migrations applied now and the accounts whose counted source was recorded anew.</summary>
public sealed record LedgerStartupResult(IReadOnlyList<int> Applied, IReadOnlyList<UsageSourceChange> UsageSources);
