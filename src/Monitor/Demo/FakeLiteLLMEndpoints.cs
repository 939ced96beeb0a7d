using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Monitor.Demo;

/// <summary>
/// The LiteLLM proxy side of <see cref="FakeProviderServer"/>: the paged spend log (<c>/spend/logs/v2</c>) and the
/// virtual keys (<c>/key/list</c>, <c>/key/info</c>). Each scenario hour becomes <see cref="RowCount"/> request rows
/// whose tokens and spend add up exactly to the hour; cached prompt tokens ride in
/// <c>metadata.usage_object.prompt_tokens_details.cached_tokens</c>, spend is a Python-style float.
/// </summary>
internal static class FakeLiteLLMEndpoints
{
    /// <summary>Requests per scenario hour the log shows at most (the real proxy logs every call).</summary>
    public const int MaxRowsPerHour = 4;

    /// <summary>The proxy's page size limit on the spend log (FastAPI validation).</summary>
    public const int MaxPageSize = 100;

    private const int DefaultPageSize = 50;

    public static IResult Unauthorized() =>
        Error(StatusCodes.Status401Unauthorized, "Authentication Error, Invalid proxy server token passed.", "auth_error", "None");

    public static int RowCount(DemoUsageHour hour) => (int)Math.Clamp(hour.Requests, 1, MaxRowsPerHour);

    public static void Map(RouteGroupBuilder group, DemoScenario scenario)
    {
        var rows = Rows(scenario);
        group.MapGet("/spend/logs/v2", (HttpRequest request) => SpendLogs(request, rows));
        group.MapGet("/key/list", (HttpRequest request) => KeyList(request, scenario));
        group.MapGet("/key/info", (HttpRequest request) => KeyInfo(request, scenario));
    }

    private static List<(DateTimeOffset Start, Dictionary<string, object?> Row)> Rows(DemoScenario s)
    {
        var rows = new List<(DateTimeOffset, Dictionary<string, object?>)>();
        foreach (var hour in s.Hours.Where(h => h.Provider == DemoScenario.LiteLLM))
        {
            var price = s.PriceOf(DemoScenario.LiteLLM, hour.Model);
            var key = s.Keys.Single(k => k.Provider == DemoScenario.LiteLLM && k.KeyId == hour.KeyId);
            var n = RowCount(hour);
            for (var i = 0; i < n; i++)
            {
                long Part(long total) => i == n - 1 ? total - total / n * (n - 1) : total / n;
                long uncached = Part(hour.InputTokens), cached = Part(hour.CachedInputTokens), output = Part(hour.OutputTokens);
                var spend = price.InputCost(uncached) + price.CachedInputCost(cached) + price.OutputCost(output);
                var start = hour.HourStart.AddSeconds((i * 3600 + 1234) / n).AddTicks((i * 1_234_567 + 89) % 10_000_000);
                var end = start.AddMilliseconds(800 + (output % 5000));
                var anthropic = hour.Model.StartsWith("claude", StringComparison.Ordinal);
                rows.Add((start, new Dictionary<string, object?>
                {
                    ["request_id"] = $"chatcmpl-{hour.KeyId[..8]}-{hour.HourStart:yyyyMMddHH}-{i}",
                    ["call_type"] = "acompletion",
                    ["api_key"] = hour.KeyId,
                    ["spend"] = new PyFloat(spend),
                    ["total_tokens"] = uncached + cached + output,
                    ["prompt_tokens"] = uncached + cached,
                    ["completion_tokens"] = output,
                    ["startTime"] = Iso(start),
                    ["endTime"] = Iso(end),
                    ["request_duration_ms"] = (long)(end - start).TotalMilliseconds,
                    ["completionStartTime"] = Iso(start.AddMilliseconds(300)),
                    ["model"] = hour.Model,
                    ["model_id"] = anthropic ? "deploy-claude-haiku" : "deploy-gpt-4o-mini",
                    ["model_group"] = anthropic ? "claude-haiku" : "gpt-4o-mini",
                    ["custom_llm_provider"] = anthropic ? "anthropic" : "openai",
                    ["api_base"] = anthropic ? "https://api.anthropic.com/v1/messages" : "https://api.openai.com/v1",
                    ["user"] = key.OwnerEmail,
                    ["metadata"] = new Dictionary<string, object?>
                    {
                        ["user_api_key_alias"] = key.Name,
                        ["user_api_key_team_id"] = hour.Workspace,
                        ["status"] = "success",
                        ["usage_object"] = new Dictionary<string, object?>
                        {
                            ["prompt_tokens"] = uncached + cached,
                            ["completion_tokens"] = output,
                            ["total_tokens"] = uncached + cached + output,
                            ["prompt_tokens_details"] = new Dictionary<string, object?> { ["cached_tokens"] = cached, ["audio_tokens"] = null },
                            ["completion_tokens_details"] = new Dictionary<string, object?> { ["reasoning_tokens"] = 0 },
                        },
                    },
                    ["cache_hit"] = "False",
                    ["cache_key"] = "Cache OFF",
                    ["request_tags"] = Array.Empty<string>(),
                    ["team_id"] = hour.Workspace,
                    ["organization_id"] = null,
                    ["end_user"] = "",
                    ["requester_ip_address"] = "10.0.3.17",
                    ["messages"] = new Dictionary<string, object?>(),
                    ["response"] = new Dictionary<string, object?>(),
                    ["session_id"] = null,
                    ["status"] = "success",
                    ["proxy_server_request"] = new Dictionary<string, object?>(),
                }));
            }
        }

        rows.Sort((a, b) => b.Item1.CompareTo(a.Item1)); // newest first, as the proxy sorts
        return rows;
    }

    private static IResult SpendLogs(HttpRequest request, List<(DateTimeOffset Start, Dictionary<string, object?> Row)> rows)
    {
        if (!TryDate(request, "start_date", out var from) || !TryDate(request, "end_date", out var to))
            return Error(StatusCodes.Status400BadRequest, "Start date and end date are required", "bad_request", "None");
        if (!TryInt(request, "page", 1, 1, int.MaxValue, out var page, out var error)
            || !TryInt(request, "page_size", DefaultPageSize, 1, MaxPageSize, out var pageSize, out error))
            return error!;

        var matching = rows.Where(r => r.Start >= from && r.Start <= to).ToList(); // both ends inclusive, like the proxy
        var data = matching.Skip((page - 1) * pageSize).Take(pageSize).Select(r => r.Row).ToArray();
        return Results.Json(new Dictionary<string, object?>
        {
            ["data"] = data,
            ["total"] = matching.Count,
            ["page"] = page,
            ["page_size"] = pageSize,
            ["total_pages"] = (matching.Count + pageSize - 1) / pageSize,
        }, FakeProviderServer.Json);
    }

    private static IResult KeyList(HttpRequest request, DemoScenario s)
    {
        if (!TryInt(request, "page", 1, 1, int.MaxValue, out var page, out var error)
            || !TryInt(request, "size", 10, 1, 100, out var size, out error))
            return error!;
        var full = string.Equals(request.Query["return_full_object"].ToString(), "true", StringComparison.OrdinalIgnoreCase);
        var keys = s.Keys.Where(k => k.Provider == DemoScenario.LiteLLM).ToList();
        var items = keys.Skip((page - 1) * size).Take(size)
            .Select(k => full ? (object)new Dictionary<string, object?>(KeyObject(s, k)) { ["token"] = k.KeyId } : k.KeyId)
            .ToArray();
        return Results.Json(new Dictionary<string, object?>
        {
            ["keys"] = items,
            ["total_count"] = keys.Count,
            ["current_page"] = page,
            ["total_pages"] = (keys.Count + size - 1) / size,
        }, FakeProviderServer.Json);
    }

    private static IResult KeyInfo(HttpRequest request, DemoScenario s)
    {
        var given = request.Query["key"].ToString();
        var key = s.Keys.FirstOrDefault(k => k.Provider == DemoScenario.LiteLLM && k.KeyId == given);
        if (key is null)
            return Error(StatusCodes.Status404NotFound, $"Key not found in database. key={given}", "not_found_error", "key");
        return Results.Json(new Dictionary<string, object?> { ["key"] = given, ["info"] = KeyObject(s, key) }, FakeProviderServer.Json);
    }

    private static Dictionary<string, object?> KeyObject(DemoScenario s, DemoKey k)
    {
        var hours = s.Hours.Where(h => h.Provider == DemoScenario.LiteLLM && h.KeyId == k.KeyId).ToList();
        return new Dictionary<string, object?>
        {
            ["key_name"] = k.RedactedValue,
            ["key_alias"] = k.Name,
            ["spend"] = new PyFloat(hours.Sum(s.CostOf)),
            ["max_budget"] = k.ExpiresAt is null ? null : new PyFloat(250m),
            ["soft_budget_cooldown"] = false,
            ["budget_duration"] = k.ExpiresAt is null ? null : "30d",
            ["budget_reset_at"] = null,
            ["expires"] = k.ExpiresAt is { } e ? Iso(e) : null,
            ["models"] = Array.Empty<string>(),
            ["aliases"] = new Dictionary<string, object?>(),
            ["config"] = new Dictionary<string, object?>(),
            ["user_id"] = k.OwnerEmail,
            ["team_id"] = k.WorkspaceId,
            ["organization_id"] = null,
            ["tpm_limit"] = null,
            ["rpm_limit"] = 600,
            ["max_parallel_requests"] = null,
            ["blocked"] = null,
            ["model_spend"] = hours.GroupBy(h => h.Model).ToDictionary(g => g.Key, g => (object?)new PyFloat(g.Sum(s.CostOf))),
            ["model_max_budget"] = new Dictionary<string, object?>(),
            ["metadata"] = new Dictionary<string, object?>(),
            ["created_at"] = Iso(k.CreatedAt),
            ["created_by"] = "default_user_id",
            ["updated_at"] = Iso(k.CreatedAt),
            ["last_active"] = hours.Count > 0 ? Iso(hours.Max(h => h.HourStart).AddMinutes(59)) : null,
            ["rotation_count"] = 0,
            ["auto_rotate"] = false,
            ["litellm_budget_table"] = null,
        };
    }

    private static bool TryDate(HttpRequest request, string name, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(request.Query[name].ToString(), "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);

    private static bool TryInt(HttpRequest request, string name, int fallback, int min, int max, out int value, out IResult? error)
    {
        error = null;
        var text = request.Query[name].ToString();
        if (text.Length == 0)
        {
            value = fallback;
            return true;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= min && value <= max)
            return true;
        error = Results.Json(
            new { detail = new[] { new { type = "less_than_equal", loc = new[] { "query", name }, msg = $"Input should be between {min} and {max}", input = text } } },
            FakeProviderServer.Json, statusCode: StatusCodes.Status422UnprocessableEntity);
        return false;
    }

    private static IResult Error(int status, string message, string type, string param) =>
        Results.Json(
            new { error = new { message, type, param, code = status.ToString(CultureInfo.InvariantCulture) } },
            FakeProviderServer.Json, statusCode: status);

    // Python's isoformat of an aware datetime, as FastAPI renders Prisma's timestamps.
    private static string Iso(DateTimeOffset t) =>
        t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture);

    /// <summary>A USD amount written the way Python prints a float: <c>1.5e-05</c> below 1e-4, else plain digits.</summary>
    [JsonConverter(typeof(PyFloatConverter))]
    private readonly record struct PyFloat(decimal Value);

    private sealed class PyFloatConverter : JsonConverter<PyFloat>
    {
        public override PyFloat Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(reader.GetDecimal());

        public override void Write(Utf8JsonWriter writer, PyFloat value, JsonSerializerOptions options)
        {
            var v = value.Value;
            if (v == 0)
            {
                writer.WriteRawValue("0.0");
                return;
            }

            if (Math.Abs(v) >= 0.0001m)
            {
                writer.WriteRawValue(v.ToString("0.0###########################", CultureInfo.InvariantCulture));
                return;
            }

            var exponent = 0;
            while (Math.Abs(v) < 1m)
            {
                v *= 10m;
                exponent++;
            }

            writer.WriteRawValue(v.ToString("0.############################", CultureInfo.InvariantCulture) + "e-" + exponent.ToString("00", CultureInfo.InvariantCulture));
        }
    }
}
