using Monitor.Core.Alerts;

namespace Monitor.Core.Tests.Alerts;

public sealed class AlertRoutingTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<(string, string), (DateTimeOffset, AlertSeverity)> NothingSent = [];

    private static AlertDecision Alert(
        AlertKind kind = AlertKind.BudgetThreshold, AlertSeverity severity = AlertSeverity.Warning, string? account = "acme", string? model = null,
        string key = "a") => new()
    {
        Kind = kind, Severity = severity, Account = account, Model = model, Title = "t", Detail = "d", DedupKey = key,
    };

    private static ChannelRoute Email(bool digest = true, TimeSpan? cooldown = null) => new()
    {
        Channel = "email", ImmediateSeverity = AlertSeverity.Warning, Digest = digest, Cooldown = cooldown ?? TimeSpan.FromHours(6),
    };

    private static IReadOnlyList<(string, ChannelDelivery)> Route(AlertDecision d, params ChannelRoute[] channels) =>
        AlertRouting.Route([d], Now, [], channels, NothingSent).Single().Channels;

    [Fact]
    public void Route_ChannelFilters_KindSeverityAndScopeDecideWhichChannelsTakeIt()
    {
        var anomaliesOnly = new ChannelRoute { Channel = "security", Kinds = [AlertKind.Anomaly] };
        var criticalOnly = new ChannelRoute { Channel = "pager", MinSeverity = AlertSeverity.Critical };
        var acmeGpt = new ChannelRoute { Channel = "acme-gpt", Accounts = ["acme"], Models = ["gpt-4o"] };

        Assert.Equal([("email", ChannelDelivery.Immediate)], Route(Alert(), Email(), anomaliesOnly, criticalOnly, acmeGpt));
        Assert.Equal(
            [("email", ChannelDelivery.Immediate), ("security", ChannelDelivery.Immediate), ("pager", ChannelDelivery.Immediate), ("acme-gpt", ChannelDelivery.Immediate)],
            Route(Alert(AlertKind.Anomaly, AlertSeverity.Critical, model: "gpt-4o"), Email(), anomaliesOnly, criticalOnly, acmeGpt));
        // A scope filter never matches an alert that does not name that field (a budget alert has no model).
        Assert.Empty(Route(Alert(account: null), acmeGpt));
    }

    [Fact]
    public void Route_BelowImmediateSeverity_DigestWhereTheChannelKeepsOneImmediateWhereNot()
    {
        var chat = new ChannelRoute { Channel = "slack", ImmediateSeverity = AlertSeverity.Critical, Digest = true };
        var hook = new ChannelRoute { Channel = "hook" };

        Assert.Equal([("slack", ChannelDelivery.Digest), ("hook", ChannelDelivery.Immediate)], Route(Alert(), chat, hook));
    }

    [Fact]
    public void Route_CooldownIsPerChannel_EscalationStillGoesOut()
    {
        var slack = new ChannelRoute { Channel = "slack", Cooldown = TimeSpan.FromHours(6), Digest = true };
        var scope = Alert().EffectiveCooldownKey;
        var sent = new Dictionary<(string, string), (DateTimeOffset, AlertSeverity)> { [("email", scope)] = (Now.AddHours(-1), AlertSeverity.Warning) };

        var again = AlertRouting.Route([Alert(key: "b")], Now, [], [Email(), slack], sent).Single();
        var escalated = AlertRouting.Route([Alert(severity: AlertSeverity.Critical, key: "c")], Now, [], [Email(), slack], sent).Single();
        var later = AlertRouting.Route([Alert(key: "d")], Now.AddHours(6), [], [Email(), slack], sent).Single();

        Assert.Equal([("email", ChannelDelivery.Digest), ("slack", ChannelDelivery.Immediate)], again.Channels);
        Assert.Equal([("email", ChannelDelivery.Immediate), ("slack", ChannelDelivery.Immediate)], escalated.Channels);
        Assert.Equal([("email", ChannelDelivery.Immediate), ("slack", ChannelDelivery.Immediate)], later.Channels);
        Assert.Equal("immediate", again.Summary);
    }

    [Fact]
    public void Route_SameScopeTwiceInOneBatch_SecondIsHeldWithoutDigestDropped()
    {
        var routes = AlertRouting.Route([Alert(key: "a"), Alert(key: "b")], Now, [], [Email(digest: false)], NothingSent);

        Assert.Equal([ChannelDelivery.Immediate, ChannelDelivery.None], routes.Select(r => r.Channels.Single().Item2));
        Assert.Equal(["immediate", "none"], routes.Select(r => r.Summary));
    }

    [Fact]
    public void Route_ChannelWithoutCooldown_EveryAlertOfABatchOnItsOwn()
    {
        var hook = new ChannelRoute { Channel = "hook" };

        var routes = AlertRouting.Route([Alert(key: "a"), Alert(key: "b")], Now, [], [Email(), hook], NothingSent);

        Assert.Equal([ChannelDelivery.Immediate, ChannelDelivery.Digest], routes.Select(r => r.Channels[0].Item2));
        Assert.All(routes, r => Assert.Equal(("hook", ChannelDelivery.Immediate), r.Channels[1]));
    }

    [Fact]
    public void Route_MuteCoversIt_MutedOnEveryChannel()
    {
        var mute = new AlertMute(1, null, "acme", null, null, null, Now.AddHours(-1), Now.AddHours(1), "load test");

        var route = AlertRouting.Route([Alert()], Now, [mute], [Email(), new ChannelRoute { Channel = "hook" }], NothingSent).Single();

        Assert.True(route.Muted);
        Assert.Empty(route.Channels);
        Assert.Equal("muted", route.Summary);
    }
}
