using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Monitor.Hosting;

namespace Monitor.Providers;

/// <summary>
/// The HTTP side of one account: absolute URLs from the configured base, the key from its environment variable,
/// and every failure turned into a <see cref="ProviderException"/> that names account, endpoint and status.
/// Retries, Retry-After and timeouts are the resilience handler's job (see ProviderServiceCollectionExtensions).
/// </summary>
public sealed class ProviderHttp
{
    private const int MaxErrorBody = 300;
    private readonly HttpClient _client;
    private readonly string _key;
    private readonly Uri _base;
    private readonly Action<HttpRequestHeaders, string> _authorize;

    public ProviderHttp(HttpClient client, ProviderOptions account, Action<HttpRequestHeaders, string>? authorize = null, DriftLog? drift = null)
        : this(client, account, authorize ?? Bearer, drift ?? new DriftLog(), account.ApiKeyEnv, "ApiKeyEnv")
    {
    }

    private ProviderHttp(HttpClient client, ProviderOptions account, Action<HttpRequestHeaders, string> authorize, DriftLog drift, string keyEnv, string setting)
    {
        _client = client;
        Account = account;
        Drift = drift;
        _base = new Uri(BaseUrls.Normalise(account.ParsedKind, account.BaseUrl) + "/");
        _authorize = authorize;
        var key = Environment.GetEnvironmentVariable(keyEnv);
        _key = string.IsNullOrWhiteSpace(key)
            ? throw new ProviderException(account.Name, account.Kind, "configuration", null,
                $"the environment variable {keyEnv} (Monitor:Providers:{account.Name}:{setting}) is not set")
            : key.Trim();
    }

    public ProviderOptions Account { get; }

    /// <summary>Format drift seen by this account's pull (shared with <see cref="WithKey"/> clients).</summary>
    public DriftLog Drift { get; }

    /// <summary><c>Authorization: Bearer {key}</c>, the default of most providers.</summary>
    public static void Bearer(HttpRequestHeaders headers, string key)
    {
        ArgumentNullException.ThrowIfNull(headers);
        headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
    }

    /// <summary>
    /// The same account and base URL with another key, from the variable named by <paramref name="setting"/> (an
    /// admin key cannot list models: <c>ModelsApiKeyEnv</c> names an ordinary key for that).
    /// </summary>
    public ProviderHttp WithKey(string keyEnv, string setting, Action<HttpRequestHeaders, string>? authorize = null) =>
        new(_client, Account, authorize ?? Bearer, Drift, keyEnv, setting);

    /// <summary>Reads a body into <typeparamref name="T"/> (source-generated); malformed JSON fails naming the endpoint and path.</summary>
    public T Deserialize<T>(string endpoint, byte[] body, JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(body, type) ?? throw Fail(endpoint, null, "malformed JSON in the response: the body is null");
        }
        catch (JsonException e)
        {
            throw Fail(endpoint, null, $"malformed JSON in the response at {e.Path} (line {e.LineNumber + 1}): {e.Message}", e);
        }
    }

    /// <summary>GETs <paramref name="pathAndQuery"/> (relative to the base URL) and parses the JSON body.</summary>
    public async Task<JsonDocument> GetJsonAsync(string pathAndQuery, CancellationToken ct)
    {
        var (endpoint, response) = await SendAsync(pathAndQuery, ct);
        using (response)
        {
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            try
            {
                return await JsonDocument.ParseAsync(stream, default, ct);
            }
            catch (JsonException e)
            {
                throw Fail(endpoint, null, $"malformed JSON in the response (line {e.LineNumber + 1}): {e.Message}", e);
            }
        }
    }

    /// <summary>
    /// GETs <paramref name="pathAndQuery"/> and reads the body into <typeparamref name="T"/> (source-generated, unknown
    /// fields ignored): for large pages where building a document first would double the work. The body is read whole
    /// and parsed in one synchronous pass, much faster than resumable parsing of the stream.
    /// </summary>
    public async Task<T> GetAsync<T>(string pathAndQuery, JsonTypeInfo<T> type, CancellationToken ct)
    {
        var (endpoint, body) = await GetBytesAsync(pathAndQuery, ct);
        return Deserialize(endpoint, body, type);
    }

    /// <summary>GETs <paramref name="pathAndQuery"/> and returns the raw body, for a reader of its own.</summary>
    public async Task<(string Endpoint, byte[] Body)> GetBytesAsync(string pathAndQuery, CancellationToken ct)
    {
        var (endpoint, response) = await SendAsync(pathAndQuery, ct);
        using (response)
            return (endpoint, await response.Content.ReadAsByteArrayAsync(ct));
    }

    private async Task<(string Endpoint, HttpResponseMessage Response)> SendAsync(string pathAndQuery, CancellationToken ct)
    {
        var endpoint = "GET " + pathAndQuery.Split('?')[0];
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_base, pathAndQuery.TrimStart('/')));
        _authorize(request.Headers, _key);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException e)
        {
            throw Fail(endpoint, null, $"request failed: {SecretRedactor.Redact(e.Message, _key)}", e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw Fail(endpoint, HttpStatusCode.RequestTimeout, "timed out after retries", e);
        }
        catch (Polly.Timeout.TimeoutRejectedException e)
        {
            throw Fail(endpoint, HttpStatusCode.RequestTimeout, "timed out after retries", e);
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                var body = await response.Content.ReadAsStringAsync(ct);
                if (body.Length > MaxErrorBody)
                    body = body[..MaxErrorBody] + "...";
                throw Fail(endpoint, response.StatusCode, SecretRedactor.Redact(body.ReplaceLineEndings(" "), _key));
            }
        }

        return (endpoint, response);
    }

    public ProviderException Fail(string endpoint, HttpStatusCode? status, string problem, Exception? inner = null) =>
        new(Account.Name, Account.Kind, endpoint, status, problem, inner);

    /// <summary>A response that parsed but lacks what the documented shape promises.</summary>
    public ProviderException Malformed(string endpoint, string field, string problem) =>
        Fail(endpoint, null, $"unexpected response: {field}: {problem}");
}
