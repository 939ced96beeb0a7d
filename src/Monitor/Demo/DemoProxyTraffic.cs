using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Monitor.Hosting;
using Monitor.Proxy;

namespace Monitor.Demo;

/// <summary>
/// The demo's proxy traffic: three developers' editors call the fake Mistral through the metering proxy (chat,
/// streaming chat, Codestral FIM), so the demo ledger holds metered usage per key beside the usage the fake's admin API
/// reports. The account keeps counting its API, so what the proxy did not see shows as unmetered usage. The proxy runs
/// on a short-lived host of its own on 127.0.0.1, so this works with <c>demo --once</c> too; its last flush lands
/// before the demo's check.
/// </summary>
public static class DemoProxyTraffic
{
    /// <summary>A developer key the demo's fake Mistral accepts, for trying the proxy by hand.</summary>
    public const string TryKey = "demo-developer-key";

    private static readonly (string Developer, int Calls)[] Developers = [("ana", 9), ("ben", 5), ("chloe", 3)];

    /// <returns>The number of calls sent.</returns>
    public static async Task<int> SendAsync(IConfigurationRoot configuration, Action<MonitorOptions> adjust, FakeProviderServer server, string account, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(server);
        server.Inference.Accept(TryKey);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddMonitorCore(configuration, adjust).AddMonitorProxy();
        await using var app = builder.Build();
        app.MapMonitorProxy();
        await app.StartAsync(ct);
        var calls = 0;
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            foreach (var (developer, count) in Developers)
            {
                var key = $"demo-{developer}-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
                server.Inference.Accept(key);
                for (var i = 0; i < count; i++)
                {
                    var (path, json) = (i % 3) switch
                    {
                        0 => ("/v1/chat/completions", $$"""{"model":"mistral-small-2603","messages":[{"role":"user","content":"Explain the function {{i}} of {{developer}}'s module in two lines."}],"stream":true}"""),
                        1 => ("/v1/fim/completions", $$"""{"model":"codestral-2508","prompt":"def total(items):\n    ","suffix":"\n    return result  # {{i}}"}"""),
                        _ => ("/v1/chat/completions", $$"""{"model":"mistral-large-2512","messages":[{"role":"user","content":"Review this diff for {{developer}}: {{new string('+', 600)}}"}]}"""),
                    };
                    using var request = new HttpRequestMessage(HttpMethod.Post, $"/proxy/{account}{path}") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                    using var response = await client.SendAsync(request, ct);
                    await response.Content.ReadAsByteArrayAsync(ct);
                    if (!response.IsSuccessStatusCode)
                        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"demo proxy call {path} answered {(int)response.StatusCode}"));
                    calls++;
                }
            }
        }
        finally
        {
            await app.StopAsync(CancellationToken.None); // the meter's last flush
        }

        return calls;
    }
}
