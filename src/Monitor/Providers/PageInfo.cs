namespace Monitor.Providers;

/// <summary>
/// What one page of a listing says about the walk: how many items it held, and the provider's own signals where it
/// gives them (page size asked for, total items or pages announced, has-more, the next cursor). <see cref="FirstId"/>
/// identifies the page's first item, so a server that ignores the offset and repeats a page is caught even when its
/// bodies differ (a request id, a timestamp).
/// </summary>
public readonly record struct PageInfo(
    int Items,
    int? PageSize = null,
    long? TotalItems = null,
    long? TotalPages = null,
    bool? HasMore = null,
    string? NextCursor = null,
    string? FirstId = null);
