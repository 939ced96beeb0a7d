namespace Monitor.Demo;

/// <summary>A Mistral workspace (uuid) or an OpenAI project (proj_...) of the demo.</summary>
public sealed record DemoWorkspace(string Provider, string Id, string Name);
