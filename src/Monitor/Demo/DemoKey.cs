namespace Monitor.Demo;

/// <summary>An API key of the demo. <see cref="WorkspaceId"/> is null for the OpenAI admin key.</summary>
public sealed record DemoKey
{
    public required string Provider { get; init; }
    public required string KeyId { get; init; }
    public required string Name { get; init; }
    public string? WorkspaceId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public required string OwnerEmail { get; init; }

    /// <summary>What the provider shows instead of the key, e.g. <c>sk-abc...1x2Y</c>; never a usable key.</summary>
    public required string RedactedValue { get; init; }

    public bool IsAdmin { get; init; }
}
