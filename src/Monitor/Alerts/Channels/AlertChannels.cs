using Microsoft.Extensions.Options;
using Monitor.Core;
using Monitor.Core.Alerts;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Alerts.Channels;

/// <summary>
/// Every channel alerts go to: the built-in <c>email</c> channel (Alerts:Email; every alert, with the global
/// immediate severity, digest and cooldown) and those of Alerts:Channels, in that order.
/// </summary>
public sealed class AlertChannels
{
    public AlertChannels(IOptions<MonitorOptions> options)
    {
        var alerts = options.Value.Alerts;
        var email = new AlertChannel(
            OutboxMessage.EmailChannel, AlertChannelKind.Email,
            new ChannelRoute
            {
                Channel = OutboxMessage.EmailChannel, ImmediateSeverity = alerts.ImmediateSeverity,
                Digest = alerts.Digest.Schedule != DigestSchedule.Off, Cooldown = alerts.Cooldown,
            },
            alerts.Digest.Schedule, new AlertChannelOptions { Name = OutboxMessage.EmailChannel });
        All = [email, .. alerts.Channels.Select(c => Of(c, alerts))];
        Routes = [.. All.Select(c => c.Route)];
    }

    public IReadOnlyList<AlertChannel> All { get; }

    public IReadOnlyList<ChannelRoute> Routes { get; }

    public AlertChannel? Find(string name) => All.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

    private static AlertChannel Of(AlertChannelOptions c, AlertsOptions alerts)
    {
        // People read Slack and Teams: they follow the mail's digest and cooldown unless told otherwise.
        var digest = c.Digest ?? (c.ForPeople ? alerts.Digest.Schedule : DigestSchedule.Off);
        var route = new ChannelRoute
        {
            Channel = c.Name,
            Kinds = [.. c.Kinds.Select(k => SnakeCase.TryParse<AlertKind>(k, out var kind) ? kind : throw new ArgumentException($"unknown alert kind '{k}'"))],
            MinSeverity = c.MinSeverity,
            Accounts = c.Accounts, Workspaces = c.Workspaces, Keys = c.Keys, Models = c.Models,
            ImmediateSeverity = c.ImmediateSeverity ?? (c.ForPeople ? alerts.ImmediateSeverity : AlertSeverity.Info),
            Digest = digest != DigestSchedule.Off,
            Cooldown = c.Cooldown ?? (c.ForPeople ? alerts.Cooldown : TimeSpan.Zero),
        };
        return new AlertChannel(c.Name, c.ParsedKind, route, digest, c);
    }
}
