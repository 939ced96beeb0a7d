namespace Monitor.Demo;

/// <summary>An inference request as the fake received it: path and query, headers, body bytes.</summary>
public sealed record FakeInferenceRequest(string PathAndQuery, IReadOnlyDictionary<string, string> Headers, byte[] Body);
