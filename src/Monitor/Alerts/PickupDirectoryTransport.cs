using System.Globalization;
using Monitor.Storage;

namespace Monitor.Alerts;

/// <summary>
/// Without an SMTP host, mails land as .eml files (readable by any mail client). The file name comes from the outbox
/// row, and the file is written beside its final name and moved into place: a retry never makes a second file.
/// </summary>
public sealed class PickupDirectoryTransport(string directory) : IMailTransport
{
    public string Destination => $"pickup directory {directory}";

    public async Task SendAsync(OutboxItem item, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        var name = string.Create(CultureInfo.InvariantCulture, $"{item.CreatedAt.UtcDateTime:yyyyMMdd-HHmmss}-{item.Id:D6}.eml");
        var path = Path.Combine(directory, name);
        if (File.Exists(path))
            return;
        var partial = path + ".partial";
        await File.WriteAllBytesAsync(partial, item.Payload, ct);
        File.Move(partial, path, overwrite: true);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
