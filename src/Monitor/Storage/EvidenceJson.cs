using System.Text.Json;
using System.Text.Json.Serialization;
using Monitor.Core.Alerts;

namespace Monitor.Storage;

/// <summary>An alert's evidence as stored in the alerts table (JSON), so mail and dashboard can show it after a restart.</summary>
public static class EvidenceJson
{
    public static string? Write(AlertEvidence evidence) =>
        evidence == AlertEvidence.None ? null : JsonSerializer.Serialize(evidence, EvidenceJsonContext.Default.AlertEvidence);

    public static AlertEvidence Read(string? json) =>
        string.IsNullOrEmpty(json) ? AlertEvidence.None : JsonSerializer.Deserialize(json, EvidenceJsonContext.Default.AlertEvidence) ?? AlertEvidence.None;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true)]
[JsonSerializable(typeof(AlertEvidence))]
internal sealed partial class EvidenceJsonContext : JsonSerializerContext;
