using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Alerts;

/// <summary>
/// MailKit over SMTP: one connection per outbox round, opened on the first mail. Security None, StartTls (required,
/// never silently skipped) or SslOnConnect; the server certificate is always checked, against the system's trust
/// store or, when <c>Smtp:CaCertificateFile</c> is set, against that private CA only. Credentials come from
/// environment variables and appear in no message.
/// </summary>
public sealed class SmtpMailTransport(SmtpOptions smtp, string from) : IMailTransport
{
    private SmtpClient? _client;

    public string Destination => $"SMTP {smtp.Host}:{smtp.Port}";

    public async Task SendAsync(OutboxItem item, CancellationToken ct)
    {
        if (item.Recipients.Count == 0)
            throw new InvalidOperationException("no recipients: set Monitor:Alerts:Email:To (or the budget's To)");
        var client = _client ??= await ConnectAsync(ct);
        using var stream = new MemoryStream(item.Payload, writable: false);
        var message = await MimeMessage.LoadAsync(stream, ct);
        var sender = MailboxAddress.Parse(string.IsNullOrWhiteSpace(from) ? message.From.Mailboxes.First().Address : from);
        await client.SendAsync(message, sender, item.Recipients.Select(MailboxAddress.Parse), ct);
    }

    private async Task<SmtpClient> ConnectAsync(CancellationToken ct)
    {
        var client = new SmtpClient { Timeout = (int)smtp.Timeout.TotalMilliseconds };
        try
        {
            if (!string.IsNullOrEmpty(smtp.CaCertificateFile))
            {
                var ca = X509Certificate2.CreateFromPem(File.ReadAllText(smtp.CaCertificateFile));
                client.ServerCertificateValidationCallback = (_, certificate, _, errors) => TrustedByPrivateCa(certificate, errors, ca);
            }

            var security = Enum.Parse<SmtpSecurity>(smtp.Security) switch
            {
                SmtpSecurity.None => SecureSocketOptions.None,
                SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
                _ => SecureSocketOptions.StartTls,
            };
            await client.ConnectAsync(smtp.Host, smtp.Port, security, ct);
            if (!string.IsNullOrEmpty(smtp.UserEnv))
            {
                var user = Environment.GetEnvironmentVariable(smtp.UserEnv);
                var password = string.IsNullOrEmpty(smtp.PasswordEnv) ? "" : Environment.GetEnvironmentVariable(smtp.PasswordEnv);
                if (string.IsNullOrEmpty(user) || password is null)
                    throw new InvalidOperationException(
                        $"Monitor:Alerts:Email:Smtp: the environment variable {(string.IsNullOrEmpty(user) ? smtp.UserEnv : smtp.PasswordEnv)} is not set");
                await client.AuthenticateAsync(user, password, ct);
            }

            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    // A private CA: the chain must end at that CA (and no other root), and the name must match the host.
    private static bool TrustedByPrivateCa(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2 ca)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
            return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var server = new X509Certificate2(certificate);
        return chain.Build(server);
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is null)
            return;
        try
        {
            if (_client.IsConnected)
                await _client.DisconnectAsync(quit: true);
        }
        catch (Exception e) when (e is IOException or SmtpProtocolException or SmtpCommandException or OperationCanceledException)
        {
            // Mails already accepted stay accepted; a failed QUIT changes nothing.
        }
        finally
        {
            _client.Dispose();
        }
    }
}
