using Monitor.Core.Alerts;
using Monitor.Storage;
using Monitor.Tests.Support;

namespace Monitor.Tests.Storage;

/// <summary>The outbox's leases on both dialects: what the database must guarantee when two nodes send at once.</summary>
public sealed class OutboxRepositoryTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 15, 0, 0, TimeSpan.Zero);

    private static async Task QueueAsync(TempLedger ledger, int count)
    {
        await using var c = await ledger.Database.OpenAsync(CancellationToken.None);
        await using var tx = await Sql.BeginWriteAsync(c, CancellationToken.None);
        for (var i = 0; i < count; i++)
        {
            var mail = new ComposedMail($"<m{i}@test>", ["ops@example.com"], $"mail {i}", [1, 2, 3]);
            await OutboxRepository.EnqueueAsync(c, tx, null, $"test:{i}", OutboxMessage.Email(mail), Now, CancellationToken.None);
        }

        await tx.CommitAsync();
    }

    /// <summary>A second process on the same ledger: its own connections (its own pool on PostgreSQL).</summary>
    private static Database SecondNode(TempLedger ledger) =>
        ledger.ConnectionString is { } pg ? Database.Postgres(pg) : new Database(ledger.Path, TimeSpan.FromSeconds(10));

    [Theory, BothDialects]
    public async Task ClaimDueAsync_TwoNodesClaimingAtOnce_EveryRowGoesToExactlyOneNode(SqlDialect dialect)
    {
        using var ledger = new TempLedger(Now, dialect);
        await QueueAsync(ledger, 120);
        await using var second = SecondNode(ledger);
        var nodes = new[] { new OutboxRepository(ledger.Database), new OutboxRepository(second) };

        // Each node claims small batches until nothing is due: the rounds interleave on the server.
        var claims = await Task.WhenAll(nodes.SelectMany(node => Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            var mine = new List<long>();
            while (await node.ClaimDueAsync(OutboxMessage.EmailChannel, Now, TimeSpan.FromMinutes(10), 7, CancellationToken.None) is { Count: > 0 } batch)
                mine.AddRange(batch.Select(b => b.Id));
            return mine;
        }))));

        var all = claims.SelectMany(c => c).ToList();
        Assert.Equal(120, all.Count);
        Assert.Equal(120, all.Distinct().Count());
    }

    [Theory, BothDialects]
    public async Task ClaimDueAsync_LeasedRowAndRetryNotYetDue_AreNotClaimed_ExpiredLeaseIs(SqlDialect dialect)
    {
        using var ledger = new TempLedger(Now, dialect);
        await QueueAsync(ledger, 2);
        var outbox = new OutboxRepository(ledger.Database);
        var first = await outbox.ClaimDueAsync(OutboxMessage.EmailChannel, Now, TimeSpan.FromMinutes(10), 1, CancellationToken.None);
        var failed = await outbox.ClaimDueAsync(OutboxMessage.EmailChannel, Now, TimeSpan.FromMinutes(10), 1, CancellationToken.None);
        await outbox.MarkFailedAsync(Assert.Single(failed), "refused", Now.AddHours(1), CancellationToken.None);

        var meanwhile = await outbox.ClaimDueAsync(OutboxMessage.EmailChannel, Now.AddMinutes(5), TimeSpan.FromMinutes(10), 10, CancellationToken.None);
        var afterLease = await outbox.ClaimDueAsync(OutboxMessage.EmailChannel, Now.AddMinutes(11), TimeSpan.FromMinutes(10), 10, CancellationToken.None);

        Assert.Empty(meanwhile);
        Assert.Equal([Assert.Single(first).Id], afterLease.Select(i => i.Id));
    }

    [Theory, BothDialects]
    public async Task MarkFailedAsync_RowSentMeanwhileByAnotherNode_StaysSent(SqlDialect dialect)
    {
        using var ledger = new TempLedger(Now, dialect);
        await QueueAsync(ledger, 1);
        var outbox = new OutboxRepository(ledger.Database);
        var slow = Assert.Single(await outbox.ClaimDueAsync(OutboxMessage.EmailChannel, Now, TimeSpan.FromMinutes(10), 1, CancellationToken.None));
        // The lease runs out under a slow server; another node claims the row again and sends it.
        var other = Assert.Single(await outbox.ClaimDueAsync(OutboxMessage.EmailChannel, Now.AddMinutes(11), TimeSpan.FromMinutes(10), 1, CancellationToken.None));
        await outbox.MarkSentAsync(other, Now.AddMinutes(11), CancellationToken.None);

        await outbox.MarkFailedAsync(slow, "timed out", Now.AddMinutes(20), CancellationToken.None);

        Assert.Equal(0, await outbox.PendingAsync(CancellationToken.None));
        Assert.Equal((1L, (string?)null), Assert.Single(await ledger.QueryAsync<(long, string?)>("SELECT attempts, last_error FROM outbox")));
        Assert.Empty(await outbox.ClaimDueAsync(OutboxMessage.EmailChannel, Now.AddHours(1), TimeSpan.FromMinutes(10), 10, CancellationToken.None));
    }

    [Theory, BothDialects]
    public async Task ClaimDueAsync_PerChannel_RefusedRowNeverComesBackAndStatusCountsEachChannel(SqlDialect dialect)
    {
        using var ledger = new TempLedger(Now, dialect);
        await QueueAsync(ledger, 2);
        await using (var c = await ledger.Database.OpenAsync(CancellationToken.None))
        await using (var tx = await Sql.BeginWriteAsync(c, CancellationToken.None))
        {
            for (var i = 0; i < 3; i++)
            {
                var message = new OutboxMessage("slack", $"msg_{i}", [], $"alert {i}", "application/json", [(byte)'{', (byte)'}']);
                await OutboxRepository.EnqueueAsync(c, tx, null, $"slack:{i}", message, Now, CancellationToken.None);
            }

            await tx.CommitAsync();
        }

        var outbox = new OutboxRepository(ledger.Database);
        Assert.Equal(["email", "slack"], await outbox.ChannelsDueAsync(Now, CancellationToken.None));
        var slack = await outbox.ClaimDueAsync("slack", Now, TimeSpan.FromMinutes(10), 10, CancellationToken.None);
        Assert.Equal(["slack:0", "slack:1", "slack:2"], slack.Select(i => i.DedupKey));
        Assert.All(slack, i => Assert.Equal(("slack", "application/json"), (i.Channel, i.ContentType)));
        await outbox.MarkSentAsync(slack[0], Now, CancellationToken.None);
        await outbox.MarkRefusedAsync(slack[1], "HTTP 400", Now, CancellationToken.None);
        await outbox.MarkFailedAsync(slack[2], "HTTP 503", Now.AddMinutes(5), CancellationToken.None);

        var later = await outbox.ClaimDueAsync("slack", Now.AddHours(1), TimeSpan.FromMinutes(10), 10, CancellationToken.None);
        var status = (await outbox.StatusAsync(CancellationToken.None)).ToDictionary(s => s.Channel);

        Assert.Equal(["slack:2"], later.Select(i => i.DedupKey));
        Assert.Equal((1L, 1L, 1L, Now), (status["slack"].Pending, status["slack"].Failed, status["slack"].Sent, status["slack"].LastSentAt!.Value));
        Assert.Equal("HTTP 503", status["slack"].LastError);
        Assert.Equal((2L, 0L, 0L), (status["email"].Pending, status["email"].Failed, status["email"].Sent));
        Assert.Equal(3, await outbox.PendingAsync(CancellationToken.None));
    }

    [Theory, BothDialects]
    public async Task AlertRoutes_LastImmediateAndDigests_ArePerChannel(SqlDialect dialect)
    {
        using var ledger = new TempLedger(Now, dialect);
        await using var c = await ledger.Database.OpenAsync(CancellationToken.None);
        await using var tx = await Sql.BeginWriteAsync(c, CancellationToken.None);
        AlertDecision Decision(string key, AlertSeverity severity) => new()
        {
            Kind = AlertKind.Anomaly, Severity = severity, Account = "acme", Title = "t", Detail = "d", DedupKey = key, CooldownKey = "scope",
        };
        async Task RaiseAsync(AlertDecision d, DateTimeOffset at, params (string, ChannelDelivery)[] channels)
        {
            var id = (await AlertRepository.InsertAsync(c, tx, d, at, AlertStatus.Open, "immediate", CancellationToken.None))!.Value;
            await AlertRouteRepository.InsertAsync(c, tx, id, new AlertRoute(d, false, channels), at, CancellationToken.None);
        }

        await RaiseAsync(Decision("a", AlertSeverity.Warning), Now.AddHours(-3), ("email", ChannelDelivery.Immediate), ("slack", ChannelDelivery.Immediate));
        await RaiseAsync(Decision("b", AlertSeverity.Critical), Now.AddHours(-1), ("email", ChannelDelivery.Immediate), ("slack", ChannelDelivery.Digest));
        await RaiseAsync(Decision("c", AlertSeverity.Info), Now, ("slack", ChannelDelivery.Digest));

        var last = await AlertRouteRepository.LastImmediateAsync(c, tx, ["scope", "other"], CancellationToken.None);
        var slackDigest = await AlertRouteRepository.DigestPendingAsync(c, tx, "slack", Now, CancellationToken.None);
        await AlertRouteRepository.MarkDigestedAsync(c, tx, "slack", [slackDigest[0]], Now, CancellationToken.None);
        var afterMark = await AlertRouteRepository.DigestPendingAsync(c, tx, "slack", Now, CancellationToken.None);

        Assert.Equal((Now.AddHours(-1), AlertSeverity.Critical), last[("email", "scope")]);
        Assert.Equal((Now.AddHours(-3), AlertSeverity.Warning), last[("slack", "scope")]);
        Assert.Equal(2, last.Count);
        Assert.Equal(2, slackDigest.Count);
        Assert.Equal([slackDigest[1]], afterMark);
        Assert.Empty(await AlertRouteRepository.DigestPendingAsync(c, tx, "email", Now, CancellationToken.None));
        Assert.Equal(["email", "slack"], await AlertRouteRepository.DeliveredToAsync(c, tx, slackDigest[0], CancellationToken.None));
    }

    [Theory, BothDialects]
    public async Task DeferChannelAsync_ChannelDown_ClaimedAndUnclaimedRowsWaitOtherChannelsAndOtherNodesRowsDoNot(SqlDialect dialect)
    {
        using var ledger = new TempLedger(Now, dialect);
        await QueueAsync(ledger, 1);
        await using (var c = await ledger.Database.OpenAsync(CancellationToken.None))
        await using (var tx = await Sql.BeginWriteAsync(c, CancellationToken.None))
        {
            for (var i = 0; i < 6; i++)
                await OutboxRepository.EnqueueAsync(c, tx, null, $"hook:{i}", new OutboxMessage("hook", $"msg_{i}", [], "s", "application/json", [1]), Now, CancellationToken.None);
            await tx.CommitAsync();
        }

        var outbox = new OutboxRepository(ledger.Database);
        var otherNode = await outbox.ClaimDueAsync("hook", Now, TimeSpan.FromMinutes(10), 1, CancellationToken.None);
        var mine = await outbox.ClaimDueAsync("hook", Now, TimeSpan.FromMinutes(10), 3, CancellationToken.None);
        await outbox.MarkFailedAsync(mine[0], "timed out", Now.AddMinutes(1), CancellationToken.None);
        await outbox.DeferChannelAsync("hook", [mine[1].Id, mine[2].Id], Now, Now.AddMinutes(1), CancellationToken.None);

        Assert.Empty(await outbox.ClaimDueAsync("hook", Now.AddSeconds(59), TimeSpan.FromMinutes(10), 10, CancellationToken.None));
        Assert.Single(await outbox.ClaimDueAsync(OutboxMessage.EmailChannel, Now, TimeSpan.FromMinutes(10), 10, CancellationToken.None));
        var back = await outbox.ClaimDueAsync("hook", Now.AddMinutes(1), TimeSpan.FromMinutes(10), 10, CancellationToken.None);
        Assert.Equal(5, back.Count); // the other node's row stays leased to it
        Assert.DoesNotContain(otherNode[0].Id, back.Select(b => b.Id));
    }
}
