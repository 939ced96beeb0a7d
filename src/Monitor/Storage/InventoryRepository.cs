using System.Data.Common;
using Dapper;
using Monitor.Core;
using Monitor.Core.Budgets;
using Monitor.Core.Deprecations;
using Monitor.Core.Keys;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;

namespace Monitor.Storage;

/// <summary>
/// Keys, models and spend limits as the providers list them, written inside a pull's transaction. A key the
/// listing no longer returns is kept and marked deleted: a deleted key that shows usage is what matters most. The
/// reads are the checks': keys, spend limits and balances as last fetched.
/// </summary>
public sealed class InventoryRepository(Database database)
{
    /// <summary>Every listed key but admin keys: what the anomaly check knows of each key's life.</summary>
    public async Task<IReadOnlyList<InventoryKey>> KeysAsync(CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        return [.. await c.QueryAsync<InventoryKey>(new CommandDefinition(
            """
            SELECT account AS Account, key_id AS KeyId, name AS Name, workspace AS Workspace, status AS Status,
                   created_at AS CreatedAt, expires_at AS ExpiresAt, last_seen_at AS LastSeenAt
            FROM api_keys WHERE kind <> 'admin'
            """,
            cancellationToken: ct))];
    }

    /// <summary>Each account's spend limit as fetched up to <paramref name="asOf"/>.</summary>
    public async Task<IReadOnlyList<(string Account, SpendLimitInfo Limit)>> SpendLimitsAsync(DateTimeOffset asOf, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var rows = await c.QueryAsync<(string Account, string Currency, long? Usage, long? Limit, bool Reached, bool Failure)>(new CommandDefinition(
            "SELECT account, currency, usage_micros, limit_micros, limit_reached, payment_failure FROM spend_limits WHERE fetched_at <= @at ORDER BY account",
            new { at = asOf.ToUnixTimeSeconds() }, cancellationToken: ct));
        return
        [
            .. rows.Select(r => (r.Account, new SpendLimitInfo
            {
                Currency = Enum.Parse<Currency>(r.Currency), Usage = Money(r.Usage), Limit = Money(r.Limit), LimitReached = r.Reached, PaymentFailure = r.Failure,
            })),
        ];
    }

    /// <summary>Each account's credit balances as fetched up to <paramref name="asOf"/>.</summary>
    public async Task<IReadOnlyList<(string Account, CreditBalanceInfo Balance)>> BalancesAsync(DateTimeOffset asOf, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var rows = await c.QueryAsync<(string Account, string Currency, long Remaining, long? Total, bool Depleted, string Kind)>(new CommandDefinition(
            "SELECT account, currency, remaining_micros, total_micros, depleted, kind FROM credit_balances WHERE fetched_at <= @at ORDER BY account",
            new { at = asOf.ToUnixTimeSeconds() }, cancellationToken: ct));
        return
        [
            .. rows.Select(b => (b.Account, new CreditBalanceInfo
            {
                Currency = Enum.Parse<Currency>(b.Currency), Remaining = MoneyUnits.FromMicros(b.Remaining), Total = Money(b.Total), Depleted = b.Depleted,
                Kind = b.Kind == SnakeCase.Of(BalanceKind.Allowance) ? BalanceKind.Allowance : BalanceKind.Prepaid,
            })),
        ];
    }

    private static decimal? Money(long? micros) => micros is { } m ? MoneyUnits.FromMicros(m) : null;

    public static async Task SaveKeysAsync(DbConnection c, DbTransaction tx, string account, IReadOnlyList<ApiKeyInfo> keys, DateTimeOffset now)
    {
        var at = now.ToUnixTimeSeconds();
        foreach (var k in keys)
        {
            await c.ExecuteAsync(
                """
                INSERT INTO api_keys (account, key_id, name, kind, workspace, fingerprint, last_four, owner, status,
                                      created_at, expires_at, last_used_at, first_seen_at, last_seen_at, source)
                VALUES (@account, @KeyId, @Name, @Kind, @Workspace, @Fingerprint, @LastFour, @Owner, @Status,
                        @created, @expires, @lastUsed, @at, @at, 'api')
                ON CONFLICT (account, key_id) DO UPDATE SET
                    name = excluded.name, kind = excluded.kind, workspace = excluded.workspace,
                    fingerprint = COALESCE(excluded.fingerprint, api_keys.fingerprint),
                    last_four = COALESCE(excluded.last_four, api_keys.last_four), owner = excluded.owner,
                    status = excluded.status, created_at = excluded.created_at, expires_at = excluded.expires_at,
                    last_used_at = COALESCE(excluded.last_used_at, api_keys.last_used_at), last_seen_at = excluded.last_seen_at
                """,
                new
                {
                    account, k.KeyId, k.Name, k.Kind, k.Workspace, k.Fingerprint, k.LastFour, k.Owner, k.Status,
                    created = k.CreatedAt?.ToUnixTimeSeconds(), expires = k.ExpiresAt?.ToUnixTimeSeconds(),
                    lastUsed = k.LastUsedAt?.ToUnixTimeSeconds(), at,
                },
                tx);
        }

        await c.ExecuteAsync(
            "UPDATE api_keys SET status = 'deleted' WHERE account = @account AND source = 'api' AND last_seen_at < @at AND status <> 'deleted'",
            new { account, at }, tx);
        await LifecycleRepository.RecordKeyStatusesAsync(c, tx, account, now);
    }

    public static async Task SaveModelsAsync(DbConnection c, DbTransaction tx, string account, ProviderKind provider, IReadOnlyList<ModelInfo> models, DateTimeOffset now)
    {
        var at = now.ToUnixTimeSeconds();
        foreach (var m in models)
        {
            await c.ExecuteAsync(
                """
                INSERT INTO models (account, provider, model, aliases, shutdown_at, replacement, first_seen_at, last_seen_at)
                VALUES (@account, @provider, @Model, @aliases, @shutdown, @Replacement, @at, @at)
                ON CONFLICT (account, model) DO UPDATE SET
                    aliases = excluded.aliases, shutdown_at = excluded.shutdown_at,
                    replacement = excluded.replacement, last_seen_at = excluded.last_seen_at
                """,
                new
                {
                    account, provider = provider.ToWire(), m.Model, aliases = string.Join(',', m.Aliases),
                    shutdown = m.ShutdownAt?.ToUnixTimeSeconds(), m.Replacement, at,
                },
                tx);
        }

        await LifecycleRepository.RecordAliasesAsync(c, tx, account, models, now);
    }

    public static Task SaveSpendLimitAsync(DbConnection c, DbTransaction tx, string account, SpendLimitInfo limit, DateTimeOffset now) =>
        c.ExecuteAsync(
            """
            INSERT INTO spend_limits (account, currency, usage_micros, limit_micros, limit_reached, payment_failure, fetched_at)
            VALUES (@account, @currency, @usage, @limit, @reached, @failure, @at)
            ON CONFLICT (account) DO UPDATE SET
                currency = excluded.currency, usage_micros = excluded.usage_micros, limit_micros = excluded.limit_micros,
                limit_reached = excluded.limit_reached, payment_failure = excluded.payment_failure, fetched_at = excluded.fetched_at
            """,
            new
            {
                account, currency = limit.Currency.ToString(),
                usage = limit.Usage is { } u ? MoneyUnits.ToMicros(u) : (long?)null,
                limit = limit.Limit is { } l ? MoneyUnits.ToMicros(l) : (long?)null,
                reached = limit.LimitReached ? 1 : 0, failure = limit.PaymentFailure ? 1 : 0, at = now.ToUnixTimeSeconds(),
            },
            tx);

    public static Task SaveBalanceAsync(DbConnection c, DbTransaction tx, string account, CreditBalanceInfo balance, DateTimeOffset now) =>
        c.ExecuteAsync(
            """
            INSERT INTO credit_balances (account, currency, remaining_micros, total_micros, depleted, kind, fetched_at)
            VALUES (@account, @currency, @remaining, @total, @depleted, @kind, @at)
            ON CONFLICT (account) DO UPDATE SET
                currency = excluded.currency, remaining_micros = excluded.remaining_micros, total_micros = excluded.total_micros,
                depleted = excluded.depleted, kind = excluded.kind, fetched_at = excluded.fetched_at
            """,
            new
            {
                account, currency = balance.Currency.ToString(), remaining = MoneyUnits.ToMicros(balance.Remaining),
                total = balance.Total is { } t ? MoneyUnits.ToMicros(t) : (long?)null, depleted = balance.Depleted ? 1 : 0,
                kind = SnakeCase.Of(balance.Kind), at = now.ToUnixTimeSeconds(),
            },
            tx);
}
