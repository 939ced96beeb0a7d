namespace Monitor.Hosting;

/// <summary>A key declared by hand (a provider without a key listing). Never the key itself.</summary>
public sealed class DeclaredKeyOptions
{
    public string Name { get; set; } = "";

    /// <summary>The provider account it belongs to (an account name of Monitor:Providers, or any name).</summary>
    public string Account { get; set; } = "";

    /// <summary>The provider's id of the key, when it has one (usage records carry it); default <c>declared:{Name}</c>.</summary>
    public string KeyId { get; set; } = "";

    public DateTimeOffset? CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>The owner's email: reminders go to them and to Monitor:Alerts:Email:To.</summary>
    public string Owner { get; set; } = "";
}
