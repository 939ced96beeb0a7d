using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Monitor.Providers;

/// <summary>
/// The one paging loop of every connector: cursor, offset and page-number listings. A walk ends on the provider's own
/// signal (no next cursor, has_more false, a short or empty page, the announced total reached) and also when the
/// provider stops making progress: a cursor that comes back, a page identical to the one before (a server that ignores
/// <c>offset</c>), more pages than announced, or more than <see cref="MaxPages"/>. Such a walk fails the pull with an
/// error naming the endpoint, instead of looping forever or growing without bound.
/// </summary>
public sealed class Pager(ProviderHttp http, string endpoint)
{
    /// <summary>No listing this product reads has anywhere near this many pages; past it the walk is stuck.</summary>
    public const int MaxPages = 100_000;

    /// <summary>Cursor paging: <paramref name="query"/> gets null for the first page, then each page's <see cref="PageInfo.NextCursor"/>.</summary>
    public async IAsyncEnumerable<T> CursorAsync<T>(
        Func<string?, string> query, Func<byte[], T> parse, Func<T, PageInfo> info, [EnumeratorCancellation] CancellationToken ct)
    {
        var guard = new Progress(this);
        string? cursor = null;
        var cursors = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var (page, body) = await FetchAsync(query(cursor), parse, ct);
            var i = info(page);
            guard.Check(body, i);
            yield return page;
            var more = i.HasMore ?? i.NextCursor is not null;
            if (!more || string.IsNullOrEmpty(i.NextCursor))
            {
                if (more && i.HasMore == true)
                    throw Stuck("has_more is true but no next cursor came with the page");
                yield break;
            }

            if (!cursors.Add(i.NextCursor))
                throw Stuck($"the cursor '{Shorten(i.NextCursor)}' came back a second time");
            cursor = i.NextCursor;
        }
    }

    /// <summary>Offset paging: <paramref name="query"/> gets the number of items read so far (0 first).</summary>
    public async IAsyncEnumerable<T> OffsetAsync<T>(
        Func<long, string> query, Func<byte[], T> parse, Func<T, PageInfo> info, [EnumeratorCancellation] CancellationToken ct)
    {
        var guard = new Progress(this);
        long offset = 0;
        while (true)
        {
            var (page, body) = await FetchAsync(query(offset), parse, ct);
            var i = info(page);
            guard.Check(body, i);
            yield return page;
            offset += i.Items;
            if (IsLast(i, offset, guard.Pages))
                yield break;
        }
    }

    /// <summary>Page-number paging: <paramref name="query"/> gets the page number, from <paramref name="first"/> (1 unless the provider counts from 0).</summary>
    public async IAsyncEnumerable<T> NumberedAsync<T>(
        Func<long, string> query, Func<byte[], T> parse, Func<T, PageInfo> info, [EnumeratorCancellation] CancellationToken ct, long first = 1)
    {
        var guard = new Progress(this);
        long read = 0;
        for (var number = first; ; number++)
        {
            var (page, body) = await FetchAsync(query(number), parse, ct);
            var i = info(page);
            guard.Check(body, i);
            yield return page;
            read += i.Items;
            if (IsLast(i, read, guard.Pages))
                yield break;
        }
    }

    private static bool IsLast(PageInfo i, long read, long pages) =>
        i.Items == 0
        || i.HasMore == false
        || (i.PageSize is { } size && i.Items < size)
        || (i.TotalItems is { } total && read >= total)
        || (i.TotalPages is { } totalPages && pages >= totalPages);

    private async Task<(T Page, byte[] Body)> FetchAsync<T>(string pathAndQuery, Func<byte[], T> parse, CancellationToken ct)
    {
        var (_, body) = await http.GetBytesAsync(pathAndQuery, ct);
        return (parse(body), body);
    }

    private ProviderException Stuck(string why) =>
        http.Fail(endpoint, null, $"paging made no progress: {why} (stopped instead of looping; nothing of this window was written)");

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "..." : text;

    /// <summary>The no-progress guard of one walk.</summary>
    private sealed class Progress(Pager pager)
    {
        private byte[]? _lastHash;
        private string? _lastFirstId;

        public long Pages { get; private set; }

        public void Check(byte[] body, PageInfo info)
        {
            Pages++;
            if (Pages > MaxPages)
                throw pager.Stuck($"more than {MaxPages} pages");
            if (info.TotalPages is { } announced && Pages > announced && info.Items > 0)
                throw pager.Stuck($"page {Pages} came after the {announced} pages announced");
            var hash = SHA256.HashData(body);
            if (info.Items > 0 && _lastHash is not null && hash.AsSpan().SequenceEqual(_lastHash))
                throw pager.Stuck($"page {Pages} is identical to page {Pages - 1} (the server may ignore the paging parameter)");
            if (info.FirstId is not null && info.FirstId == _lastFirstId)
                throw pager.Stuck($"page {Pages} starts with the same item as page {Pages - 1} ('{Shorten(info.FirstId)}')");
            _lastHash = hash;
            _lastFirstId = info.FirstId;
        }
    }
}
