using System.Globalization;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Monitor.Benchmarks;

/// <summary>
/// A fake OpenAI Administration API for the year figure: every (key, model, hour) of [<see cref="DataStart"/>,
/// <see cref="DataEnd"/>) has usage, generated on the fly from a hash of the three, so a year of 200 keys x 12 models
/// (21M rows) never exists as objects. It serves what <c>OpenAIConnector</c> requests, in the documented envelope
/// and paging (1h usage buckets, <c>limit</c> up to 168 buckets a page, <c>next_page</c> cursor, <c>has_more</c>;
/// daily costs per line item, project and key that agree with the tokens; key, project and model inventories),
/// written with a <see cref="Utf8JsonWriter"/> straight to the response body. Kestrel on 127.0.0.1 with a random
/// port, every route behind <c>Authorization: Bearer {apiKey}</c>.
/// </summary>
public sealed class YearOfUsageServer : IAsyncDisposable
{
    public const string EmbeddingModel = "text-embedding-3-small";
    public const int MaxModels = 12;

    // Chat models priced in the shipped catalog, with the prices the costs endpoint bills (USD per million tokens:
    // input, cached input, output). The focus figure's ledger uses the first six.
    internal static readonly (string Model, decimal Input, decimal Cached, decimal Output)[] ChatModels =
    [
        ("gpt-4o-mini-2024-07-18", 0.15m, 0.075m, 0.6m),
        ("gpt-4.1-2025-04-14", 2m, 0.5m, 8m),
        ("gpt-4.1-mini", 0.4m, 0.1m, 1.6m),
        ("gpt-4.1-nano", 0.1m, 0.025m, 0.4m),
        ("gpt-4o-2024-08-06", 2.5m, 1.25m, 10m),
        ("o3", 2m, 0.5m, 8m),
        ("o4-mini", 1.1m, 0.275m, 4.4m),
        ("gpt-5", 1.25m, 0.125m, 10m),
        ("gpt-5-mini", 0.25m, 0.025m, 2m),
        ("gpt-5-nano", 0.05m, 0.005m, 0.4m),
        ("o1", 15m, 7.5m, 60m),
    ];

    private const decimal EmbeddingInput = 0.02m;
    private const int HourSeconds = 3600;
    private const int DaySeconds = 86_400;
    private const int FlushBytes = 64 * 1024;

    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    private readonly WebApplication _app;
    private readonly Names _names;
    private int _requestCount;

    private YearOfUsageServer(WebApplication app, Names names, DateTimeOffset dataStart, DateTimeOffset dataEnd)
    {
        _app = app;
        _names = names;
        DataStart = dataStart;
        DataEnd = dataEnd;
    }

    /// <summary><c>http://127.0.0.1:{port}</c>; OpenAI paths (<c>/v1/...</c>) go below it.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The first hour with usage.</summary>
    public DateTimeOffset DataStart { get; }

    /// <summary>The end of the last hour with usage (exclusive): the start of the current hour.</summary>
    public DateTimeOffset DataEnd { get; }

    /// <summary>Usage rows the server holds: keys x models x hours.</summary>
    public long Rows => (long)_names.Keys.Length * _names.Models.Length * (long)(DataEnd - DataStart).TotalHours;

    /// <summary>Requests served so far, rejected ones included.</summary>
    public int RequestCount => Volatile.Read(ref _requestCount);

    /// <param name="keys">Project API keys, spread over up to 20 projects.</param>
    /// <param name="models">1 to 12: that many chat models, the last one replaced by the embedding model when 2 or more.</param>
    /// <param name="days">Days of hourly usage, ending at the start of the current hour.</param>
    public static async Task<YearOfUsageServer> StartAsync(int keys, int models, int days, DateTimeOffset now, string apiKey, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keys, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(models, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(models, MaxModels);
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();

        var dataEnd = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds() / HourSeconds * HourSeconds);
        var server = new YearOfUsageServer(app, new Names(keys, models), dataEnd.AddDays(-days), dataEnd);
        var expected = Encoding.UTF8.GetBytes("Bearer " + apiKey);
        app.Use(async (context, next) =>
        {
            Interlocked.Increment(ref server._requestCount);
            var given = Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString());
            if (!CryptographicOperations.FixedTimeEquals(given, expected))
                await ErrorAsync(context, StatusCodes.Status401Unauthorized, "Incorrect API key provided", null, "invalid_api_key");
            else
                await next(context);
        });

        app.MapGet("/v1/organization/usage/completions", context => server.UsageAsync(context, embeddings: false));
        app.MapGet("/v1/organization/usage/embeddings", context => server.UsageAsync(context, embeddings: true));
        // The other usage families the connector reads: the year has none of them, so every bucket is empty.
        foreach (var family in (string[])["moderations", "images", "audio_speeches", "audio_transcriptions", "web_search_calls",
            "file_search_calls", "code_interpreter_sessions", "vector_stores"])
        {
            app.MapGet("/v1/organization/usage/" + family, server.EmptyUsageAsync);
        }

        app.MapGet("/v1/organization/costs", server.CostsAsync);
        app.MapGet("/v1/organization/admin_api_keys", server.AdminKeysAsync);
        app.MapGet("/v1/organization/projects", server.ProjectsAsync);
        app.MapGet("/v1/organization/projects/{projectId}/api_keys", server.ProjectKeysAsync);
        app.MapGet("/v1/models", server.ModelsAsync);

        await app.StartAsync(ct);
        server.BaseUrl = new Uri(app.Urls.Single());
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>The tokens of one (key, model, hour): a cheap deterministic hash, never zero input or requests.</summary>
    private static (long Uncached, long Cached, long Output, long Requests) Tokens(int key, int model, long hour, bool embedding)
    {
        var h = Mix(((ulong)key * 1_000_003UL + (ulong)model) * 10_000_019UL + (ulong)hour);
        return (200 + (long)(h % 4000), embedding ? 0 : (long)((h >> 16) % 1500), embedding ? 0 : 50 + (long)((h >> 32) % 1500), 1 + (long)((h >> 48) % 30));
    }

    private static ulong Mix(ulong x) // splitmix64's finalizer
    {
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9UL;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebUL;
        return x ^ (x >> 31);
    }

    private async Task UsageAsync(HttpContext context, bool embeddings)
    {
        var query = context.Request.Query;
        var width = query["bucket_width"].ToString();
        if (width != "1h")
        {
            await InvalidAsync(context, "bucket_width", $"This fake serves bucket_width=1h only, not '{width}'.");
            return;
        }

        var groups = query["group_by"];
        if (!groups.Contains("model") || !groups.Contains("project_id") || !groups.Contains("api_key_id"))
        {
            await InvalidAsync(context, "group_by", "This fake serves group_by=model, project_id and api_key_id only.");
            return;
        }

        if (await WindowAsync(context, HourSeconds, 24, 168) is not { } window)
            return;

        var withBatch = groups.Contains("batch");
        var dataStart = DataStart.ToUnixTimeSeconds() / HourSeconds;
        var dataEnd = DataEnd.ToUnixTimeSeconds() / HourSeconds;
        var chat = _names.HasEmbeddings ? _names.Models.Length - 1 : _names.Models.Length;
        var (first, last) = !embeddings ? (0, chat) : _names.HasEmbeddings ? (chat, _names.Models.Length) : (0, 0);

        var body = StartJson(context);
        using var writer = new Utf8JsonWriter(body, WriterOptions);
        long flushed = 0;
        StartPage(writer);
        for (var start = window.First; start < window.Next; start += HourSeconds)
        {
            StartBucket(writer, start, HourSeconds);
            var hour = start / HourSeconds;
            if (hour >= dataStart && hour < dataEnd)
            {
                for (var k = 0; k < _names.Keys.Length; k++)
                {
                    for (var m = first; m < last; m++)
                    {
                        var t = Tokens(k, m, hour, embeddings);
                        writer.WriteStartObject();
                        if (embeddings)
                        {
                            writer.WriteString(P.Object, P.EmbeddingsResult);
                            writer.WriteNumber(P.InputTokens, t.Uncached);
                            writer.WriteNumber(P.NumModelRequests, t.Requests);
                        }
                        else
                        {
                            var input = t.Uncached + t.Cached;
                            writer.WriteString(P.Object, P.CompletionsResult);
                            writer.WriteNumber(P.InputTokens, input);
                            writer.WriteNumber(P.InputCachedTokens, t.Cached);
                            writer.WriteNumber(P.InputCacheWriteTokens, 0);
                            writer.WriteNumber(P.InputUncachedTokens, t.Uncached);
                            writer.WriteNumber(P.OutputTokens, t.Output);
                            writer.WriteNumber(P.InputTextTokens, input);
                            writer.WriteNumber(P.OutputTextTokens, t.Output);
                            writer.WriteNumber(P.InputCachedTextTokens, t.Cached);
                            writer.WriteNumber(P.InputAudioTokens, 0);
                            writer.WriteNumber(P.InputCachedAudioTokens, 0);
                            writer.WriteNumber(P.OutputAudioTokens, 0);
                            writer.WriteNumber(P.InputImageTokens, 0);
                            writer.WriteNumber(P.InputCachedImageTokens, 0);
                            writer.WriteNumber(P.OutputImageTokens, 0);
                            writer.WriteNumber(P.NumModelRequests, t.Requests);
                        }

                        writer.WriteString(P.ProjectId, _names.ProjectOfKey[k]);
                        writer.WriteNull(P.UserId);
                        writer.WriteString(P.ApiKeyId, _names.Keys[k]);
                        writer.WriteString(P.Model, _names.Models[m]);
                        if (!embeddings)
                        {
                            if (withBatch)
                                writer.WriteBoolean(P.Batch, false);
                            else
                                writer.WriteNull(P.Batch);
                            writer.WriteNull(P.ServiceTier);
                        }

                        writer.WriteEndObject();
                    }

                    flushed = await FlushIfFullAsync(writer, body, flushed, context.RequestAborted);
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await EndPageAsync(writer, body, window.Next < window.End ? window.Next : null, context.RequestAborted);
    }

    /// <summary>A usage family without usage: the window's buckets (1h or 1d), each with no results, paged like the others.</summary>
    private async Task EmptyUsageAsync(HttpContext context)
    {
        var width = context.Request.Query["bucket_width"].ToString() switch
        {
            "1h" => HourSeconds,
            "1d" => DaySeconds,
            _ => 0,
        };
        if (width == 0)
        {
            await InvalidAsync(context, "bucket_width", "This fake serves bucket_width=1h or 1d only.");
            return;
        }

        if (await WindowAsync(context, width, width == HourSeconds ? 24 : 7, width == HourSeconds ? 168 : 31) is not { } window)
            return;
        var body = StartJson(context);
        using var writer = new Utf8JsonWriter(body, WriterOptions);
        StartPage(writer);
        for (var start = window.First; start < window.Next; start += width)
        {
            StartBucket(writer, start, width);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await EndPageAsync(writer, body, window.Next < window.End ? window.Next : null, context.RequestAborted);
    }

    private async Task CostsAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var width = query["bucket_width"].ToString();
        if (width.Length > 0 && width != "1d")
        {
            await InvalidAsync(context, "bucket_width", $"Invalid bucket_width '{width}': costs support only 1d.");
            return;
        }

        var groups = query["group_by"];
        if (!groups.Contains("line_item") || !groups.Contains("project_id") || !groups.Contains("api_key_id"))
        {
            await InvalidAsync(context, "group_by", "This fake serves group_by=line_item, project_id and api_key_id only.");
            return;
        }

        if (await WindowAsync(context, DaySeconds, 7, 180) is not { } window)
            return;

        var dataStart = DataStart.ToUnixTimeSeconds();
        var dataEnd = DataEnd.ToUnixTimeSeconds();
        var body = StartJson(context);
        using var writer = new Utf8JsonWriter(body, WriterOptions);
        long flushed = 0;
        StartPage(writer);
        for (var start = window.First; start < window.Next; start += DaySeconds)
        {
            StartBucket(writer, start, DaySeconds);
            // The hours of this day that have usage and lie in the requested window.
            var from = Math.Max(Math.Max(start, window.Start), dataStart) / HourSeconds;
            var to = Math.Min(Math.Min(start + DaySeconds, window.End), dataEnd) / HourSeconds;
            for (var k = 0; from < to && k < _names.Keys.Length; k++)
            {
                for (var m = 0; m < _names.Models.Length; m++)
                {
                    var embedding = _names.HasEmbeddings && m == _names.Models.Length - 1;
                    long uncached = 0, cached = 0, output = 0;
                    for (var hour = from; hour < to; hour++)
                    {
                        var t = Tokens(k, m, hour, embedding);
                        uncached += t.Uncached;
                        cached += t.Cached;
                        output += t.Output;
                    }

                    var (inputPrice, cachedPrice, outputPrice) = embedding
                        ? (EmbeddingInput, EmbeddingInput, 0m)
                        : (ChatModels[m].Input, ChatModels[m].Cached, ChatModels[m].Output);
                    WriteCost(writer, _names.InputLines[m], (uncached * inputPrice + cached * cachedPrice) / 1_000_000m, uncached + cached, k);
                    if (output > 0)
                        WriteCost(writer, _names.OutputLines[m], output * outputPrice / 1_000_000m, output, k);
                }

                flushed = await FlushIfFullAsync(writer, body, flushed, context.RequestAborted);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await EndPageAsync(writer, body, window.Next < window.End ? window.Next : null, context.RequestAborted);
    }

    private void WriteCost(Utf8JsonWriter writer, JsonEncodedText line, decimal amount, long quantity, int key)
    {
        writer.WriteStartObject();
        writer.WriteString(P.Object, P.CostsResult);
        writer.WriteStartObject(P.Amount);
        writer.WriteNumber(P.Value, decimal.Round(amount, 10));
        writer.WriteString(P.Currency, P.Usd);
        writer.WriteEndObject();
        writer.WriteString(P.LineItem, line);
        writer.WriteString(P.ProjectId, _names.ProjectOfKey[key]);
        writer.WriteString(P.ApiKeyId, _names.Keys[key]);
        writer.WriteNumber(P.Quantity, quantity);
        writer.WriteString(P.QuantityUnit, P.TokensUnit);
        writer.WriteEndObject();
    }

    private Task AdminKeysAsync(HttpContext context) =>
        ListAsync(context, 1, _ => P.AdminKeyId, (writer, _) =>
        {
            writer.WriteString(P.Object, "organization.admin_api_key");
            writer.WriteString(P.Id, P.AdminKeyId);
            writer.WriteString(P.Name, "Bench admin key");
            writer.WriteString(P.RedactedValue, "sk-admin...bnch");
            writer.WriteNumber(P.CreatedAt, DataStart.ToUnixTimeSeconds());
            writer.WriteNull(P.ExpiresAt);
            writer.WriteNumber(P.LastUsedAt, DataEnd.ToUnixTimeSeconds());
            writer.WriteStartObject(P.Owner);
            writer.WriteString(P.Type, "user");
            writer.WriteString(P.Object, "organization.user");
            writer.WriteString(P.Id, "user_bench");
            writer.WriteString(P.Name, "Bench Owner");
            writer.WriteNumber(P.CreatedAt, DataStart.ToUnixTimeSeconds());
            writer.WriteString(P.Role, "owner");
            writer.WriteEndObject();
        });

    private Task ProjectsAsync(HttpContext context) =>
        ListAsync(context, _names.Projects.Length, i => _names.Projects[i], (writer, i) =>
        {
            writer.WriteString(P.Id, _names.Projects[i]);
            writer.WriteString(P.Object, "organization.project");
            writer.WriteString(P.Name, "Project " + i.ToString(CultureInfo.InvariantCulture));
            writer.WriteNumber(P.CreatedAt, DataStart.ToUnixTimeSeconds());
            writer.WriteNull(P.ArchivedAt);
            writer.WriteString(P.Status, "active");
        });

    private Task ProjectKeysAsync(HttpContext context)
    {
        var projectId = context.Request.RouteValues["projectId"] as string;
        var project = Array.FindIndex(_names.Projects, p => p.Value == projectId);
        if (project < 0)
            return ErrorAsync(context, StatusCodes.Status404NotFound, "No such project", "project_id", null);
        var keys = Enumerable.Range(0, _names.Keys.Length).Where(k => k % _names.Projects.Length == project).ToArray();
        return ListAsync(context, keys.Length, i => _names.Keys[keys[i]], (writer, i) =>
        {
            var k = keys[i];
            writer.WriteString(P.Object, "organization.project.api_key");
            writer.WriteString(P.RedactedValue, "sk-proj-..." + k.ToString("D4", CultureInfo.InvariantCulture));
            writer.WriteString(P.Name, "Bench key " + k.ToString(CultureInfo.InvariantCulture));
            writer.WriteNumber(P.CreatedAt, DataStart.ToUnixTimeSeconds());
            writer.WriteNumber(P.LastUsedAt, DataEnd.ToUnixTimeSeconds());
            writer.WriteString(P.Id, _names.Keys[k]);
            writer.WriteString(P.OwnerProjectAccess, "active");
            writer.WriteStartObject(P.Owner);
            writer.WriteString(P.Type, "user");
            writer.WriteStartObject(P.User);
            writer.WriteString(P.Id, "user_bench");
            writer.WriteString(P.Email, "owner@bench.example");
            writer.WriteString(P.Name, "Bench Owner");
            writer.WriteString(P.Role, "owner");
            writer.WriteNumber(P.CreatedAt, DataStart.ToUnixTimeSeconds());
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
    }

    private async Task ModelsAsync(HttpContext context)
    {
        var body = StartJson(context);
        using var writer = new Utf8JsonWriter(body, WriterOptions);
        writer.WriteStartObject();
        writer.WriteString(P.Object, "list");
        writer.WriteStartArray(P.Data);
        foreach (var model in _names.Models)
        {
            writer.WriteStartObject();
            writer.WriteString(P.Id, model);
            writer.WriteString(P.Object, "model");
            writer.WriteNumber(P.Created, DataStart.ToUnixTimeSeconds());
            writer.WriteString(P.OwnedBy, "system");
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        await body.FlushAsync(context.RequestAborted);
    }

    /// <summary>An id-cursor list (<c>limit</c> 1 to 100, default 20; <c>after</c>; <c>has_more</c>, <c>first_id</c>, <c>last_id</c>).</summary>
    private static async Task ListAsync(HttpContext context, int count, Func<int, JsonEncodedText> id, Action<Utf8JsonWriter, int> item)
    {
        var query = context.Request.Query;
        var limit = 20;
        var limitText = query["limit"].ToString();
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100))
        {
            await InvalidAsync(context, "limit", $"Invalid limit '{limitText}': expected 1 to 100.");
            return;
        }

        var skip = 0;
        var after = query["after"].ToString();
        if (after.Length > 0)
        {
            skip = Enumerable.Range(0, count).FirstOrDefault(i => id(i).Value == after, -1) + 1;
            if (skip == 0)
            {
                await InvalidAsync(context, "after", $"Invalid after '{after}': no such object.");
                return;
            }
        }

        var take = Math.Min(limit, count - skip);
        var body = StartJson(context);
        using var writer = new Utf8JsonWriter(body, WriterOptions);
        writer.WriteStartObject();
        writer.WriteString(P.Object, "list");
        writer.WriteStartArray(P.Data);
        for (var i = skip; i < skip + take; i++)
        {
            writer.WriteStartObject();
            item(writer, i);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (take > 0)
        {
            writer.WriteString(P.FirstId, id(skip));
            writer.WriteString(P.LastId, id(skip + take - 1));
        }
        else
        {
            writer.WriteNull(P.FirstId);
            writer.WriteNull(P.LastId);
        }

        writer.WriteBoolean(P.HasMore, skip + take < count);
        writer.WriteEndObject();
        writer.Flush();
        await body.FlushAsync(context.RequestAborted);
    }

    /// <summary>start_time, end_time (default: the end of the data), limit and page: the buckets of this page.</summary>
    private async Task<Window?> WindowAsync(HttpContext context, long width, int defaultLimit, int maxLimit)
    {
        var query = context.Request.Query;
        var startText = query["start_time"].ToString();
        if (!long.TryParse(startText, NumberStyles.None, CultureInfo.InvariantCulture, out var start))
        {
            await InvalidAsync(context, "start_time", $"Invalid start_time '{startText}': expected Unix seconds.");
            return null;
        }

        var end = DataEnd.ToUnixTimeSeconds();
        var endText = query["end_time"].ToString();
        if (endText.Length > 0 && (!long.TryParse(endText, NumberStyles.None, CultureInfo.InvariantCulture, out end) || end <= start))
        {
            await InvalidAsync(context, "end_time", $"Invalid end_time '{endText}': expected Unix seconds after start_time.");
            return null;
        }

        var limit = defaultLimit;
        var limitText = query["limit"].ToString();
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > maxLimit))
        {
            await InvalidAsync(context, "limit", $"Invalid limit '{limitText}': expected 1 to {maxLimit}.");
            return null;
        }

        var first = start;
        var page = query["page"].ToString();
        if (page.Length > 0 && (!TryDecodeCursor(page, out first) || first < start || first >= end || (first - start) % width != 0))
        {
            await InvalidAsync(context, "page", "Invalid page cursor.");
            return null;
        }

        var next = Math.Min(first + limit * width, start + (end - start + width - 1) / width * width);
        return new Window(start, end, first, next);
    }

    /// <summary>Opens a usage page: <c>{"object":"page","data":[</c>.</summary>
    private static void StartPage(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString(P.Object, P.Page);
        writer.WriteStartArray(P.Data);
    }

    /// <summary>Opens a bucket up to its results: <c>{"object":"bucket","start_time":..,"end_time":..,"results":[</c>.</summary>
    private static void StartBucket(Utf8JsonWriter writer, long start, long width)
    {
        writer.WriteStartObject();
        writer.WriteString(P.Object, P.Bucket);
        writer.WriteNumber(P.StartTime, start);
        writer.WriteNumber(P.EndTime, start + width);
        writer.WriteStartArray(P.Results);
    }

    private static PipeWriter StartJson(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        return context.Response.BodyWriter;
    }

    /// <summary>Hands what the writer holds to Kestrel every 64 KB, so a 100 MB page streams instead of buffering.</summary>
    private static async ValueTask<long> FlushIfFullAsync(Utf8JsonWriter writer, PipeWriter body, long flushed, CancellationToken ct)
    {
        if (writer.BytesCommitted + writer.BytesPending - flushed < FlushBytes)
            return flushed;
        writer.Flush();
        await body.FlushAsync(ct);
        return writer.BytesCommitted;
    }

    private static async Task EndPageAsync(Utf8JsonWriter writer, PipeWriter body, long? next, CancellationToken ct)
    {
        writer.WriteEndArray();
        writer.WriteBoolean(P.HasMore, next is not null);
        if (next is { } cursor)
            writer.WriteString(P.NextPage, EncodeCursor(cursor));
        else
            writer.WriteNull(P.NextPage);
        writer.WriteEndObject();
        writer.Flush();
        await body.FlushAsync(ct);
    }

    private static string EncodeCursor(long start) =>
        "page_" + Convert.ToBase64String(Encoding.UTF8.GetBytes(start.ToString(CultureInfo.InvariantCulture)));

    private static bool TryDecodeCursor(string page, out long start)
    {
        start = 0;
        if (!page.StartsWith("page_", StringComparison.Ordinal))
            return false;
        try
        {
            return long.TryParse(Encoding.UTF8.GetString(Convert.FromBase64String(page["page_".Length..])), NumberStyles.None, CultureInfo.InvariantCulture, out start);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static Task InvalidAsync(HttpContext context, string param, string message) =>
        ErrorAsync(context, StatusCodes.Status400BadRequest, message, param, null);

    private static async Task ErrorAsync(HttpContext context, int status, string message, string? param, string? code)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
        writer.WriteStartObject();
        writer.WriteStartObject("error");
        writer.WriteString("message", message);
        writer.WriteString("type", "invalid_request_error");
        writer.WriteString("param", param);
        writer.WriteString("code", code);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.Flush();
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    /// <summary>[Start, End) asked for; this page's buckets start at First, up to Next (exclusive), in Unix seconds.</summary>
    private sealed record Window(long Start, long End, long First, long Next);

    /// <summary>Ids and names, encoded once.</summary>
    private sealed class Names
    {
        public Names(int keys, int models)
        {
            HasEmbeddings = models >= 2;
            var chat = HasEmbeddings ? models - 1 : models;
            Models = [.. ChatModels.Take(chat).Select(m => m.Model).Concat(HasEmbeddings ? [EmbeddingModel] : [])
                .Select(m => JsonEncodedText.Encode(m))];
            InputLines = [.. Models.Select(m => JsonEncodedText.Encode(m.Value + ", input"))];
            OutputLines = [.. Models.Select(m => JsonEncodedText.Encode(m.Value + ", output"))];
            Projects = [.. Enumerable.Range(0, Math.Min(20, keys)).Select(p => JsonEncodedText.Encode($"proj_bench{p:D2}"))];
            Keys = [.. Enumerable.Range(0, keys).Select(k => JsonEncodedText.Encode($"key_bench{k:D4}"))];
            ProjectOfKey = [.. Enumerable.Range(0, keys).Select(k => Projects[k % Projects.Length])];
        }

        public bool HasEmbeddings { get; }
        public JsonEncodedText[] Models { get; }
        public JsonEncodedText[] InputLines { get; }
        public JsonEncodedText[] OutputLines { get; }
        public JsonEncodedText[] Projects { get; }
        public JsonEncodedText[] Keys { get; }
        public JsonEncodedText[] ProjectOfKey { get; }
    }

    /// <summary>Property names and constant values, encoded once.</summary>
    private static class P
    {
        public static readonly JsonEncodedText Object = JsonEncodedText.Encode("object");
        public static readonly JsonEncodedText Page = JsonEncodedText.Encode("page");
        public static readonly JsonEncodedText Data = JsonEncodedText.Encode("data");
        public static readonly JsonEncodedText Bucket = JsonEncodedText.Encode("bucket");
        public static readonly JsonEncodedText StartTime = JsonEncodedText.Encode("start_time");
        public static readonly JsonEncodedText EndTime = JsonEncodedText.Encode("end_time");
        public static readonly JsonEncodedText Results = JsonEncodedText.Encode("results");
        public static readonly JsonEncodedText HasMore = JsonEncodedText.Encode("has_more");
        public static readonly JsonEncodedText NextPage = JsonEncodedText.Encode("next_page");
        public static readonly JsonEncodedText CompletionsResult = JsonEncodedText.Encode("organization.usage.completions.result");
        public static readonly JsonEncodedText EmbeddingsResult = JsonEncodedText.Encode("organization.usage.embeddings.result");
        public static readonly JsonEncodedText CostsResult = JsonEncodedText.Encode("organization.costs.result");
        public static readonly JsonEncodedText InputTokens = JsonEncodedText.Encode("input_tokens");
        public static readonly JsonEncodedText InputCachedTokens = JsonEncodedText.Encode("input_cached_tokens");
        public static readonly JsonEncodedText InputCacheWriteTokens = JsonEncodedText.Encode("input_cache_write_tokens");
        public static readonly JsonEncodedText InputUncachedTokens = JsonEncodedText.Encode("input_uncached_tokens");
        public static readonly JsonEncodedText OutputTokens = JsonEncodedText.Encode("output_tokens");
        public static readonly JsonEncodedText InputTextTokens = JsonEncodedText.Encode("input_text_tokens");
        public static readonly JsonEncodedText OutputTextTokens = JsonEncodedText.Encode("output_text_tokens");
        public static readonly JsonEncodedText InputCachedTextTokens = JsonEncodedText.Encode("input_cached_text_tokens");
        public static readonly JsonEncodedText InputAudioTokens = JsonEncodedText.Encode("input_audio_tokens");
        public static readonly JsonEncodedText InputCachedAudioTokens = JsonEncodedText.Encode("input_cached_audio_tokens");
        public static readonly JsonEncodedText OutputAudioTokens = JsonEncodedText.Encode("output_audio_tokens");
        public static readonly JsonEncodedText InputImageTokens = JsonEncodedText.Encode("input_image_tokens");
        public static readonly JsonEncodedText InputCachedImageTokens = JsonEncodedText.Encode("input_cached_image_tokens");
        public static readonly JsonEncodedText OutputImageTokens = JsonEncodedText.Encode("output_image_tokens");
        public static readonly JsonEncodedText NumModelRequests = JsonEncodedText.Encode("num_model_requests");
        public static readonly JsonEncodedText ProjectId = JsonEncodedText.Encode("project_id");
        public static readonly JsonEncodedText UserId = JsonEncodedText.Encode("user_id");
        public static readonly JsonEncodedText ApiKeyId = JsonEncodedText.Encode("api_key_id");
        public static readonly JsonEncodedText Model = JsonEncodedText.Encode("model");
        public static readonly JsonEncodedText Batch = JsonEncodedText.Encode("batch");
        public static readonly JsonEncodedText ServiceTier = JsonEncodedText.Encode("service_tier");
        public static readonly JsonEncodedText Amount = JsonEncodedText.Encode("amount");
        public static readonly JsonEncodedText Value = JsonEncodedText.Encode("value");
        public static readonly JsonEncodedText Currency = JsonEncodedText.Encode("currency");
        public static readonly JsonEncodedText Usd = JsonEncodedText.Encode("usd");
        public static readonly JsonEncodedText LineItem = JsonEncodedText.Encode("line_item");
        public static readonly JsonEncodedText Quantity = JsonEncodedText.Encode("quantity");
        public static readonly JsonEncodedText QuantityUnit = JsonEncodedText.Encode("quantity_unit");
        public static readonly JsonEncodedText TokensUnit = JsonEncodedText.Encode("tokens");
        public static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
        public static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
        public static readonly JsonEncodedText RedactedValue = JsonEncodedText.Encode("redacted_value");
        public static readonly JsonEncodedText CreatedAt = JsonEncodedText.Encode("created_at");
        public static readonly JsonEncodedText ExpiresAt = JsonEncodedText.Encode("expires_at");
        public static readonly JsonEncodedText LastUsedAt = JsonEncodedText.Encode("last_used_at");
        public static readonly JsonEncodedText ArchivedAt = JsonEncodedText.Encode("archived_at");
        public static readonly JsonEncodedText Status = JsonEncodedText.Encode("status");
        public static readonly JsonEncodedText Owner = JsonEncodedText.Encode("owner");
        public static readonly JsonEncodedText OwnerProjectAccess = JsonEncodedText.Encode("owner_project_access");
        public static readonly JsonEncodedText Type = JsonEncodedText.Encode("type");
        public static readonly JsonEncodedText User = JsonEncodedText.Encode("user");
        public static readonly JsonEncodedText Email = JsonEncodedText.Encode("email");
        public static readonly JsonEncodedText Role = JsonEncodedText.Encode("role");
        public static readonly JsonEncodedText Created = JsonEncodedText.Encode("created");
        public static readonly JsonEncodedText OwnedBy = JsonEncodedText.Encode("owned_by");
        public static readonly JsonEncodedText FirstId = JsonEncodedText.Encode("first_id");
        public static readonly JsonEncodedText LastId = JsonEncodedText.Encode("last_id");
        public static readonly JsonEncodedText AdminKeyId = JsonEncodedText.Encode("key_bench_admin");
    }
}
