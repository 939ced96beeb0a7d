using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Monitor.Core.Keys;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;

namespace Monitor.Benchmarks;

/// <summary>
/// The synthetic ledger every figure uses: row i is key (i mod 200) x model ((i / 200) mod 12) x hour (i / 2400),
/// so every row has a distinct identity, as an hourly backfill of 200 keys over 12 priced models would give.
/// Token counts are a deterministic hash of i; a third of the rows carry a reported cost, the rest are estimated.
/// </summary>
public static class UsageRows
{
    public const int Keys = 200;

    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly (ProviderKind Provider, string Model, decimal InputPerM, decimal OutputPerM)[] Models =
    [
        (ProviderKind.OpenAI, "gpt-4o-mini", 0.15m, 0.60m),
        (ProviderKind.OpenAI, "gpt-4o", 2.50m, 10m),
        (ProviderKind.OpenAI, "gpt-4.1", 2m, 8m),
        (ProviderKind.OpenAI, "gpt-4.1-mini", 0.40m, 1.60m),
        (ProviderKind.OpenAI, "gpt-5-mini", 0.25m, 2m),
        (ProviderKind.OpenAI, "o4-mini", 1.10m, 4.40m),
        (ProviderKind.Mistral, "mistral-large-2512", 0.50m, 1.50m),
        (ProviderKind.Mistral, "mistral-small-2506", 0.10m, 0.30m),
        (ProviderKind.Mistral, "codestral-2508", 0.30m, 0.90m),
        (ProviderKind.Mistral, "devstral-2512", 0.40m, 2m),
        (ProviderKind.Mistral, "ministral-8b-2512", 0.15m, 0.15m),
        (ProviderKind.Mistral, "magistral-medium-2509", 2m, 5m),
    ];

    private static readonly string[] KeyIds = [.. Enumerable.Range(0, Keys).Select(k => $"key_{k:D3}")];
    private static readonly string[] Workspaces = [.. Enumerable.Range(0, 10).Select(w => $"ws_{w}")];
    private static readonly string[] Fingerprints =
        [.. Enumerable.Range(0, Keys).Select(k => KeyFingerprint.Of($"sk-bench-{k:D3}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(k.ToString(CultureInfo.InvariantCulture))))[..8]}"))];

    private readonly record struct Row(int Key, int Model, DateTimeOffset BucketStart, TokenCounts Tokens, long Requests, decimal Cost, bool Reported);

    /// <summary>The account of a row: one per provider and team of keys.</summary>
    private static string Account(ProviderKind provider, int key) => (provider, key % 2) switch
    {
        (ProviderKind.OpenAI, 0) => "openai-prod",
        (ProviderKind.OpenAI, _) => "openai-research",
        (_, 0) => "mistral-prod",
        _ => "mistral-research",
    };

    public static UsageRecord[] Records(int count, DateTimeOffset ingestedAt)
    {
        var records = new UsageRecord[count];
        for (var i = 0; i < count; i++)
        {
            var row = RowAt(i);
            var model = Models[row.Model];
            records[i] = new UsageRecord
            {
                Account = Account(model.Provider, row.Key),
                Provider = model.Provider,
                Workspace = Workspaces[row.Key % Workspaces.Length],
                KeyId = KeyIds[row.Key],
                KeyFingerprint = Fingerprints[row.Key],
                Model = model.Model,
                BucketStart = row.BucketStart,
                BucketWidth = BucketWidth.Hour,
                Tokens = row.Tokens,
                Requests = row.Requests,
                Cost = row.Cost,
                Currency = Currency.USD,
                CostSource = row.Reported ? CostSource.Reported : CostSource.Estimated,
                EstimatedCost = row.Cost,
                Source = RecordSource.Import,
                IngestedAt = ingestedAt,
            };
        }

        return records;
    }

    /// <summary>Writes the rows as `monitor export usage` would (CSV, export columns), for the import figure.</summary>
    public static void WriteCsv(string path, int count)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), bufferSize: 1 << 16);
        writer.NewLine = "\n";
        writer.WriteLine("bucket_start,bucket_width,provider,account,workspace,key_id,key_fingerprint,model,input_tokens,cached_input_tokens,cache_write_tokens,output_tokens,reasoning_tokens,requests,cost,currency,cost_source,estimated_cost,source");
        var line = new StringBuilder(256);
        for (var i = 0; i < count; i++)
        {
            var row = RowAt(i);
            var model = Models[row.Model];
            var t = row.Tokens;
            line.Clear();
            line.Append(CultureInfo.InvariantCulture,
                $"{row.BucketStart:yyyy-MM-dd'T'HH:mm:ss'Z'},1h,{model.Provider.ToWire()},{Account(model.Provider, row.Key)},{Workspaces[row.Key % Workspaces.Length]},{KeyIds[row.Key]},");
            // Some exports come without fingerprints (keys the provider does not list).
            if (i % 5 != 0)
                line.Append(Fingerprints[row.Key]);
            line.Append(CultureInfo.InvariantCulture,
                $",{model.Model},{t.Input},{t.CachedInput},{t.CacheWrite},{t.Output},{t.Reasoning},{row.Requests},");
            // A reported cost with its source, or nothing at all: the importer estimates it from the shipped catalog.
            line.Append(row.Reported ? row.Cost.ToString(CultureInfo.InvariantCulture) + ",USD,reported,," : ",USD,,,");
            line.Append("import");
            writer.WriteLine(line);
        }
    }

    private static Row RowAt(int i)
    {
        var key = i % Keys;
        var modelIndex = i / Keys % Models.Length;
        var hour = i / (Keys * Models.Length);
        var h = Mix((ulong)i);
        var requests = 1 + (long)(h % 400);
        var input = requests * (200 + (long)(h >> 10 & 0xFFF));
        var cached = input * (long)(h >> 24 & 0x3) / 8;
        var output = requests * (20 + (long)(h >> 30 & 0x3FF));
        var reasoning = modelIndex is 4 or 5 or 11 ? output / 3 : 0;
        var model = Models[modelIndex];
        var cost = decimal.Round((input * model.InputPerM + output * model.OutputPerM) / 1_000_000m, 6);
        return new Row(key, modelIndex, Start.AddHours(hour), new TokenCounts(input, cached, 0, output, reasoning), requests, cost, i % 3 == 0);
    }

    private static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9b34fe53a87UL;
        return x ^ (x >> 33);
    }
}
