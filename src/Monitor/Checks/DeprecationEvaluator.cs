using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Monitor.Core.Alerts;
using Monitor.Core.Deprecations;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Deprecations;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Checks;

/// <summary>
/// Deprecated models still in use (milestone reminders, then critical calls after retirement), aliases that moved, and
/// production keys calling <c>-latest</c> aliases. Reads the ledger, the providers' model lists and the alias history up
/// to as-of; the lifecycle data files are loaded once.
/// </summary>
public sealed class DeprecationEvaluator(Database database, PriceCatalog prices, IOptions<MonitorOptions> options) : IAlertEvaluator
{
    private readonly Lazy<LifecycleCatalog> _lifecycle = new(() => LifecycleCatalogLoader.Load(options.Value.Deprecations.LifecycleFile));

    private readonly LifecycleRepository _repository = new(database);

    public string Name => "deprecations";

    public async Task<IReadOnlyList<AlertDecision>> EvaluateAsync(CheckContext context, CancellationToken ct)
    {
        var settings = options.Value.Deprecations;
        var asOf = context.AsOf;
        var window = TimeSpan.FromDays(settings.UsedWithinDays);
        var (slices, listed, cards, uses) = await ReadAsync(asOf, ct);

        var decisions = new List<AlertDecision>();
        decisions.AddRange(DeprecationAlerts.Evaluate(uses, prices, asOf, settings.UsedWithinDays));

        var accounts = listed.Select(l => (l.Account, l.Provider, Currency: Currency.USD))
            .Concat(slices.Select(s => (s.Account, Provider: s.ProviderKind, Currency: s.CurrencyOf)))
            .GroupBy(a => a.Account).ToDictionary(g => g.Key, g => (g.Last().Provider, g.Last().Currency));
        var used = slices.Select(s => (s.Account, s.Model)).ToHashSet();
        decisions.AddRange(AliasAlerts.Moves(await _repository.AliasHistoryAsync(asOf, ct), used, accounts, prices, asOf, window));
        decisions.AddRange(AliasAlerts.Advice(await AliasCallsAsync(asOf, cards, settings.ProductionKeys, ct), asOf));
        return decisions;
    }

    /// <summary>
    /// Models called within the usage window (Monitor:Deprecations:UsedWithinDays) that have a known retirement, as of
    /// as-of: what the reminders are decided from, for the dashboard.
    /// </summary>
    public async Task<IReadOnlyList<(ModelUse Use, ModelLifecycle Lifecycle)>> ModelsInUseAsync(DateTimeOffset asOf, CancellationToken ct) =>
        (await ReadAsync(asOf, ct)).Uses;

    private async Task<Snapshot> ReadAsync(DateTimeOffset asOf, CancellationToken ct)
    {
        var window = TimeSpan.FromDays(options.Value.Deprecations.UsedWithinDays);
        var slices = await _repository.UsageAsync(asOf - window, asOf, ct);
        var listed = await _repository.ModelsAsync(asOf, ct);
        var cards = new Dictionary<(string Account, string Model), ModelInfo>();
        foreach (var (account, _, card) in listed)
        {
            cards[(account, card.Model)] = card;
            foreach (var alias in card.Aliases)
                cards.TryAdd((account, alias), card);
        }

        var uses = new List<(ModelUse, ModelLifecycle)>();
        foreach (var model in slices.GroupBy(s => (s.Account, s.Model, s.Currency)).OrderBy(g => g.Key.Account, StringComparer.Ordinal).ThenBy(g => g.Key.Model, StringComparer.Ordinal))
        {
            var first = model.First();
            var life = _lifecycle.Value.Resolve(first.ProviderKind, first.Model, cards.GetValueOrDefault((first.Account, first.Model)));
            if (life is null)
                continue;
            var use = new ModelUse
            {
                Account = first.Account, Provider = first.ProviderKind, Model = first.Model, Currency = first.CurrencyOf,
                Cost = model.Sum(s => s.Cost), Tokens = model.Aggregate(TokenCounts.Zero, (t, s) => t + s.Tokens),
                Requests = model.Sum(s => s.Requests), LastUsedAt = DateTimeOffset.FromUnixTimeSeconds(model.Max(s => s.LastBucket)),
                Callers = [.. model.Select(s => new ModelCaller(s.Workspace, s.KeyId, s.KeyName, s.Cost, s.Requests))],
            };
            if (asOf >= life.RetiresAt)
            {
                var (requests, cost) = await _repository.ModelUsageSinceAsync(first.Account, first.Model, life.RetiresAt, asOf, ct);
                use = use with { RequestsSinceRetirement = requests, CostSinceRetirement = MoneyUnits.FromMicros(cost) };
            }

            uses.Add((use, life));
        }

        return new Snapshot(slices, listed, cards, uses);
    }

    private async Task<IEnumerable<AliasCall>> AliasCallsAsync(
        DateTimeOffset asOf, Dictionary<(string, string), ModelInfo> cards, string productionPattern, CancellationToken ct)
    {
        var utc = asOf.UtcDateTime;
        var monthStart = new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var production = new Regex(productionPattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        return (await _repository.UsageAsync(monthStart, asOf, ct))
            .Where(s => s.Model.EndsWith("-latest", StringComparison.OrdinalIgnoreCase)
                || (cards.TryGetValue((s.Account, s.Model), out var card) && card.Model != s.Model))
            .Where(s => production.IsMatch(s.KeyName ?? "") || production.IsMatch(s.KeyId) || production.IsMatch(s.Workspace))
            .GroupBy(s => (s.Account, s.Workspace, s.KeyId, s.Model))
            .Select(g =>
            {
                var first = g.First();
                var target = cards.TryGetValue((first.Account, first.Model), out var card) && card.Model != first.Model ? card.Model : null;
                return new AliasCall(first.Account, first.Workspace, first.KeyId, first.KeyName, first.Model, target,
                    g.Sum(s => s.Requests), g.Sum(s => s.Cost), first.CurrencyOf);
            });
    }

    /// <summary>What one read of the ledger and the model listings gives: usage slices, listed cards (by model and alias) and the models in use with a known end.</summary>
    private sealed record Snapshot(
        IReadOnlyList<UsageSlice> Slices, IReadOnlyList<(string Account, ProviderKind Provider, ModelInfo Model)> Listed,
        Dictionary<(string Account, string Model), ModelInfo> Cards, List<(ModelUse Use, ModelLifecycle Lifecycle)> Uses);
}
