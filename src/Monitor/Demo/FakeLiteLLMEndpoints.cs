using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Monitor.Demo;

/// <summary>
/// The LiteLLM proxy side of <see cref="FakeProviderServer"/>, in the shapes of BerriAI/litellm (tests/Fixtures/litellm):
/// the paged spend log (<c>/spend/logs/v2</c>: <c>sort_by=startTime</c> and <c>sort_order</c> honoured, newest first by
/// default), the daily rollup (<c>/user/daily/activity</c>: paged over its raw daily rows, each page aggregated on its
/// own, as the proxy does) and the virtual keys (<c>/key/list</c>, <c>/key/info</c>). Each scenario hour becomes
/// <see cref="RowCount"/> request rows whose tokens and spend add up exactly to the hour; cached prompt tokens ride in
/// <c>metadata.usage_object.prompt_tokens_details.cached_tokens</c>, spend is a Python-style float. Retention: log rows
/// older than <see cref="RetentionDays"/> days before the scenario's end are gone, as
/// <c>maximum_spend_logs_retention_period</c> deletes them; the daily rollup still holds every day.
/// </summary>
internal static class FakeLiteLLMEndpoints
{
    /// <summary>Requests per scenario hour the log shows at most (the real proxy logs every call).</summary>
    public const int MaxRowsPerHour = 4;

    /// <summary>The proxy's page size limit on the spend log and the daily rollup (FastAPI validation, LiteLLM 1.95).</summary>
    public const int MaxPageSize = 1000;

    /// <summary>How many days of spend logs the proxy keeps (maximum_spend_logs_retention_period).</summary>
    public const int RetentionDays = 30;

    private const int DefaultPageSize = 50;

    public static IResult Unauthorized() =>
        Error(StatusCodes.Status401Unauthorized, "Authentication Error, Invalid proxy server token passed.", "auth_error", "None");

    public static int RowCount(DemoUsageHour hour) => (int)Math.Clamp(hour.Requests, 1, MaxRowsPerHour);

    /// <summary>The oldest instant whose log rows are still kept.</summary>
    public static DateTimeOffset RetainedFrom(DemoScenario s) => s.End.AddDays(-RetentionDays);

    public static void Map(RouteGroupBuilder group, DemoScenario scenario)
    {
        var rows = Rows(scenario);
        group.MapGet("/spend/logs/v2", (HttpRequest request) => SpendLogs(request, scenario, rows));
        group.MapGet("/user/daily/activity", (HttpRequest request) => DailyActivity(request, scenario, rows));
        group.MapGet("/key/list", (HttpRequest request) => KeyList(request, scenario));
        group.MapGet("/key/info", (HttpRequest request) => KeyInfo(request, scenario));
    }

    private static List<Request> Rows(DemoScenario s)
    {
        var rows = new List<Request>();
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
                rows.Add(new Request(start, key, hour.Model, anthropic ? "anthropic" : "openai", spend, uncached + cached, output, cached, new Dictionary<string, object?>
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
                    ["completionStartTime"] = Iso(start.AddMilliseconds(300)),
                    ["request_duration_ms"] = (long)(end - start).TotalMilliseconds,
                    ["model"] = hour.Model,
                    ["model_id"] = anthropic ? "claude-haiku-deployment" : "gpt-4o-mini-deployment",
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
                            ["completion_tokens"] = output,
                            ["prompt_tokens"] = uncached + cached,
                            ["total_tokens"] = uncached + cached + output,
                            ["completion_tokens_details"] = new Dictionary<string, object?> { ["reasoning_tokens"] = 0 },
                            ["prompt_tokens_details"] = new Dictionary<string, object?> { ["audio_tokens"] = 0, ["cached_tokens"] = cached },
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

        rows.Sort((a, b) => a.Start.CompareTo(b.Start));
        return rows;
    }

    private static IResult SpendLogs(HttpRequest request, DemoScenario s, List<Request> rows)
    {
        if (!TryDate(request, "start_date", "yyyy-MM-dd HH:mm:ss", out var from) || !TryDate(request, "end_date", "yyyy-MM-dd HH:mm:ss", out var to))
            return Error(StatusCodes.Status400BadRequest, "Start date and end date are required", "bad_request", "None");
        if (!TryInt(request, "page", 1, 1, int.MaxValue, out var page, out var error)
            || !TryInt(request, "page_size", DefaultPageSize, 1, MaxPageSize, out var pageSize, out error))
            return error!;
        var sortBy = request.Query["sort_by"].ToString();
        if (sortBy.Length > 0 && sortBy != "startTime")
            return Error(StatusCodes.Status400BadRequest, $"Invalid sort_by: this fake sorts by startTime only, not {sortBy}", "bad_request", "sort_by");
        var ascending = request.Query["sort_order"].ToString() switch
        {
            "asc" => true,
            "" or "desc" => false,
            _ => (bool?)null,
        };
        if (ascending is null)
            return Error(StatusCodes.Status400BadRequest, "Invalid sort_order: expected asc or desc", "bad_request", "sort_order");

        var retained = RetainedFrom(s);
        var matching = rows.Where(r => r.Start >= retained && r.Start >= from && r.Start <= to).ToList(); // both ends inclusive, like the proxy
        if (!ascending.Value)
            matching.Reverse();
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

    /// <summary>
    /// The admin's global daily rollup: one raw row per day, user, key, model and provider (every request, retained or
    /// not), paged date desc, each page aggregated on its own into days with their model x key, key and provider breakdown.
    /// </summary>
    private static IResult DailyActivity(HttpRequest request, DemoScenario s, List<Request> rows)
    {
        if (!TryDate(request, "start_date", "yyyy-MM-dd", out var from) || !TryDate(request, "end_date", "yyyy-MM-dd", out var to))
            return Results.Json(new { detail = new { error = "Please provide start_date and end_date" } }, FakeProviderServer.Json, statusCode: StatusCodes.Status400BadRequest);
        if (!TryInt(request, "page", 1, 1, int.MaxValue, out var page, out var error)
            || !TryInt(request, "page_size", DefaultPageSize, 1, MaxPageSize, out var pageSize, out error))
            return error!;
        var daily = rows.Where(r => r.Start >= from && r.Start < to.AddDays(1))
            .GroupBy(r => (Date: r.Start.UtcDateTime.Date, r.Key.OwnerEmail, r.Key.KeyId, r.Model, r.Provider))
            .Select(g => new DailyRow(g.Key.Date, g.First().Key, g.Key.Model, g.Key.Provider, Metrics.Of(g)))
            .OrderByDescending(d => d.Date).ThenBy(d => d.Key.KeyId, StringComparer.Ordinal).ThenBy(d => d.Model, StringComparer.Ordinal)
            .ToList();
        var onPage = daily.Skip((page - 1) * pageSize).Take(pageSize).ToList();
        var results = onPage.GroupBy(d => d.Date).OrderByDescending(g => g.Key).Select(day => new Dictionary<string, object?>
        {
            ["date"] = day.Key.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["metrics"] = Metrics.Sum(day.Select(d => d.Metrics)),
            ["breakdown"] = new Dictionary<string, object?>
            {
                ["models"] = day.GroupBy(d => d.Model).ToDictionary(m => m.Key, m => (object?)new Dictionary<string, object?>
                {
                    ["metrics"] = Metrics.Sum(m.Select(d => d.Metrics)),
                    ["metadata"] = new Dictionary<string, object?>(),
                    ["api_key_breakdown"] = KeysOf(m),
                }),
                ["providers"] = day.GroupBy(d => d.Provider).ToDictionary(p => p.Key, p => (object?)new Dictionary<string, object?>
                {
                    ["metrics"] = Metrics.Sum(p.Select(d => d.Metrics)),
                    ["metadata"] = new Dictionary<string, object?>(),
                    ["api_key_breakdown"] = KeysOf(p),
                }),
                ["api_keys"] = KeysOf(day),
            },
        }).ToArray();
        var total = daily.Count;
        var pageTotals = Metrics.Sum(onPage.Select(d => d.Metrics));
        return Results.Json(new Dictionary<string, object?>
        {
            ["results"] = results,
            ["metadata"] = new Dictionary<string, object?>
            {
                ["total_spend"] = pageTotals.Spend,
                ["total_prompt_tokens"] = pageTotals.PromptTokens,
                ["total_completion_tokens"] = pageTotals.CompletionTokens,
                ["total_tokens"] = pageTotals.TotalTokens,
                ["total_api_requests"] = pageTotals.ApiRequests,
                ["total_cache_read_input_tokens"] = pageTotals.CacheReadInputTokens,
                ["page"] = page,
                ["total_pages"] = (total + pageSize - 1) / pageSize,
                ["has_more"] = page * pageSize < total,
            },
        }, FakeProviderServer.Json);
    }

    private static Dictionary<string, object?> KeysOf(IEnumerable<DailyRow> rows) =>
        rows.GroupBy(d => d.Key.KeyId).ToDictionary(k => k.Key, k => (object?)new Dictionary<string, object?>
        {
            ["metrics"] = Metrics.Sum(k.Select(d => d.Metrics)),
            ["metadata"] = new Dictionary<string, object?> { ["key_alias"] = k.First().Key.Name, ["team_id"] = k.First().Key.WorkspaceId },
        });

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
            ["soft_budget_cooldown"] = false,
            ["spend"] = new PyFloat(hours.Sum(s.CostOf)),
            ["expires"] = k.ExpiresAt is { } e ? Iso(e) : null,
            ["models"] = Array.Empty<string>(),
            ["aliases"] = new Dictionary<string, object?>(),
            ["config"] = new Dictionary<string, object?>(),
            ["user_id"] = k.OwnerEmail,
            ["team_id"] = k.WorkspaceId,
            ["max_parallel_requests"] = null,
            ["metadata"] = new Dictionary<string, object?>(),
            ["tpm_limit"] = null,
            ["rpm_limit"] = 600,
            ["max_budget"] = k.ExpiresAt is null ? null : new PyFloat(250m),
            ["budget_duration"] = k.ExpiresAt is null ? null : "30d",
            ["budget_reset_at"] = null,
            ["model_spend"] = new Dictionary<string, object?>(),
            ["model_max_budget"] = new Dictionary<string, object?>(),
            ["blocked"] = null,
            ["litellm_budget_table"] = null,
            ["created_at"] = Iso(k.CreatedAt),
            ["created_by"] = "default_user_id",
            ["updated_at"] = Iso(k.CreatedAt),
            ["last_active"] = hours.Count > 0 ? Iso(hours.Max(h => h.HourStart).AddMinutes(59)) : null,
            ["rotation_count"] = 0,
            ["auto_rotate"] = false,
        };
    }

    private static bool TryDate(HttpRequest request, string name, string format, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(request.Query[name].ToString(), format, CultureInfo.InvariantCulture,
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

    // Prisma's DateTimes as pydantic v2 writes an aware UTC datetime.
    private static string Iso(DateTimeOffset t) =>
        t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private sealed record Request(
        DateTimeOffset Start, DemoKey Key, string Model, string Provider, decimal Spend, long PromptTokens, long CompletionTokens,
        long CachedTokens, Dictionary<string, object?> Row);

    private sealed record DailyRow(DateTime Date, DemoKey Key, string Model, string Provider, Metrics Metrics);

    /// <summary>SpendMetrics as the rollup writes them (prompt tokens include the cache reads).</summary>
    private sealed record Metrics(
        PyFloat Spend, long PromptTokens, long CompletionTokens, long CacheReadInputTokens, long CacheCreationInputTokens,
        long TotalTokens, long SuccessfulRequests, long FailedRequests, long ApiRequests)
    {
        public static Metrics Of(IEnumerable<Request> requests)
        {
            var list = requests.ToList();
            long prompt = list.Sum(r => r.PromptTokens), completion = list.Sum(r => r.CompletionTokens);
            return new Metrics(new PyFloat(list.Sum(r => r.Spend)), prompt, completion, list.Sum(r => r.CachedTokens), 0,
                prompt + completion, list.Count, 0, list.Count);
        }

        public static Metrics Sum(IEnumerable<Metrics> metrics)
        {
            var list = metrics.ToList();
            return new Metrics(new PyFloat(list.Sum(m => m.Spend.Value)), list.Sum(m => m.PromptTokens), list.Sum(m => m.CompletionTokens),
                list.Sum(m => m.CacheReadInputTokens), list.Sum(m => m.CacheCreationInputTokens), list.Sum(m => m.TotalTokens),
                list.Sum(m => m.SuccessfulRequests), list.Sum(m => m.FailedRequests), list.Sum(m => m.ApiRequests));
        }
    }

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
