using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MimeKit;

namespace Monitor.Tests.Support;

/// <summary>
/// A real SMTP server on 127.0.0.1 (Debian's python3-aiosmtpd, installed by tests/run.sh): STARTTLS required, AUTH
/// required, with a certificate signed by a throwaway private CA (<see cref="CaFile"/>). It can be stopped and started
/// again on the same port to play an outage. Accepted messages are files the test reads back.
/// </summary>
public sealed class SmtpServer : IAsyncDisposable
{
    public const string User = "monitor";
    private const string Python = "/usr/bin/python3";
    private Process? _process;

    private SmtpServer(string folder, int port)
    {
        Folder = folder;
        Port = port;
        Inbox = Directory.CreateDirectory(Path.Combine(folder, "inbox")).FullName;
        Password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
    }

    public string Folder { get; }
    public int Port { get; }
    public string Inbox { get; }
    public string Password { get; }
    public string CaFile => Path.Combine(Folder, "ca.pem");

    public static async Task<SmtpServer> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("monitor-smtp-").FullName;
        var server = new SmtpServer(folder, FreePort());
        server.WriteCertificates();
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again, after <see cref="StopAsync"/>) on the same port.</summary>
    public async Task StartAgainAsync()
    {
        var info = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "smtp_server.py"), Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     Path.Combine(Folder, "server.pem"), Path.Combine(Folder, "server.key"), Inbox })
            info.ArgumentList.Add(arg);
        info.Environment["SMTP_TEST_USER"] = User;
        info.Environment["SMTP_TEST_PASSWORD"] = Password;
        _process = Process.Start(info) ?? throw new InvalidOperationException("could not start python3");
        var ready = _process.StandardOutput.ReadLineAsync();
        if (await Task.WhenAny(ready, Task.Delay(TimeSpan.FromSeconds(20))) != ready || await ready != "READY")
        {
            var error = _process.HasExited ? await _process.StandardError.ReadToEndAsync() : "no READY within 20 s";
            throw new InvalidOperationException($"the test SMTP server did not start (is python3-aiosmtpd installed? tests/run.sh installs it): {error}");
        }
    }

    public async Task StopAsync()
    {
        if (_process is null)
            return;
        _process.StandardInput.Close();
        if (!_process.WaitForExit(5000))
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    /// <summary>The messages the server accepted, in order, parsed.</summary>
    public IReadOnlyList<MimeMessage> Messages() =>
        [.. Directory.GetFiles(Inbox, "*.eml").Order(StringComparer.Ordinal).Select(f => MimeMessage.Load(f))];

    public IReadOnlyList<string> RecipientsOf(int index) =>
        File.ReadAllLines(Directory.GetFiles(Inbox, "*.rcpt").Order(StringComparer.Ordinal).ElementAt(index));

    /// <summary>Configuration pointing the monitor at this server, credentials through environment variables.</summary>
    public Dictionary<string, string?> Settings(string to = "finops@example.com")
    {
        var suffix = Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable("SMTP_USER_" + suffix, User);
        Environment.SetEnvironmentVariable("SMTP_PASSWORD_" + suffix, Password);
        return new Dictionary<string, string?>
        {
            ["Monitor:Alerts:Email:From"] = "monitor@example.com",
            ["Monitor:Alerts:Email:To:0"] = to,
            ["Monitor:Alerts:Email:Smtp:Host"] = "127.0.0.1",
            ["Monitor:Alerts:Email:Smtp:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Monitor:Alerts:Email:Smtp:Security"] = "StartTls",
            ["Monitor:Alerts:Email:Smtp:UserEnv"] = "SMTP_USER_" + suffix,
            ["Monitor:Alerts:Email:Smtp:PasswordEnv"] = "SMTP_PASSWORD_" + suffix,
            ["Monitor:Alerts:Email:Smtp:CaCertificateFile"] = CaFile,
            ["Monitor:Alerts:Email:Smtp:Timeout"] = "00:00:10",
        };
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans temp folders.
        }
    }

    private void WriteCertificates()
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Monitor Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var from = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var ca = caRequest.CreateSelfSigned(from, from.AddYears(30));

        using var serverKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var server = request.Create(ca, from, from.AddYears(20), RandomNumberGenerator.GetBytes(8));

        File.WriteAllText(CaFile, ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(Folder, "server.pem"), server.ExportCertificatePem());
        File.WriteAllText(Path.Combine(Folder, "server.key"), serverKey.ExportPkcs8PrivateKeyPem());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
