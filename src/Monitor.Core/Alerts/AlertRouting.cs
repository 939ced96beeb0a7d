namespace Monitor.Core.Alerts;

/// <summary>
/// The routing decision for new alerts: muted (a planned-activity mute covers when it happened or now), else per
/// channel that takes it: a digest line (below the channel's immediate severity, or within its cooldown after a
/// message on the same scope at least as severe), nothing (the same, with the channel's digest off) or a message of
/// its own. Escalations always go out. Alerts earlier in the batch count for the cooldown of later ones.
/// </summary>
public static class AlertRouting
{
    /// <param name="lastImmediate">Per (channel, cooldown key): when the last message of its own went out, and how severe it was.</param>
    public static IReadOnlyList<AlertRoute> Route(
        IReadOnlyList<AlertDecision> decisions, DateTimeOffset asOf, IReadOnlyList<AlertMute> mutes, IReadOnlyList<ChannelRoute> channels,
        IReadOnlyDictionary<(string Channel, string CooldownKey), (DateTimeOffset At, AlertSeverity Severity)> lastImmediate)
    {
        var sentNow = new Dictionary<(string, string), AlertSeverity>();
        var routes = new List<AlertRoute>(decisions.Count);
        foreach (var d in decisions)
        {
            if (mutes.Any(m => m.Covers(d, d.OccurredAt ?? asOf) || m.Covers(d, asOf)))
            {
                routes.Add(new AlertRoute(d, true, []));
                continue;
            }

            var deliveries = new List<(string, ChannelDelivery)>();
            foreach (var channel in channels.Where(c => c.Takes(d)))
                deliveries.Add((channel.Channel, Deliver(d, asOf, channel, lastImmediate, sentNow)));
            routes.Add(new AlertRoute(d, false, deliveries));
        }

        return routes;
    }

    private static ChannelDelivery Deliver(
        AlertDecision d, DateTimeOffset asOf, ChannelRoute channel,
        IReadOnlyDictionary<(string, string), (DateTimeOffset At, AlertSeverity Severity)> lastImmediate,
        Dictionary<(string, string), AlertSeverity> sentNow)
    {
        var held = channel.Digest ? ChannelDelivery.Digest : ChannelDelivery.None;
        if (channel.Digest && d.Severity < channel.ImmediateSeverity)
            return ChannelDelivery.Digest;

        if (channel.Cooldown <= TimeSpan.Zero)
            return ChannelDelivery.Immediate; // no cooldown: every alert on its own (a webhook, an Alertmanager)
        var key = (channel.Channel, d.EffectiveCooldownKey);
        AlertSeverity? recent = sentNow.TryGetValue(key, out var s) ? s : null;
        if (recent is null && lastImmediate.TryGetValue(key, out var last) && asOf - last.At < channel.Cooldown)
            recent = last.Severity;
        if (recent is { } r && r >= d.Severity)
            return held;
        sentNow[key] = d.Severity;
        return ChannelDelivery.Immediate;
    }
}
