using System.Net;

namespace Monitor.Proxy;

/// <summary>
/// The upstream response content, swapped in by <see cref="ProxyTransformer"/> after the headers were copied, so that
/// YARP's copy loop reads the body through a <see cref="MeteringStream"/>. Headers stay those of the original content.
/// </summary>
internal sealed class MeteringContent(HttpContent inner, Func<Stream, Stream> wrap) : HttpContent
{
    protected override async Task<Stream> CreateContentReadStreamAsync() => wrap(await inner.ReadAsStreamAsync());

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
        wrap(await inner.ReadAsStreamAsync(cancellationToken));

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await using var body = await CreateContentReadStreamAsync();
        await body.CopyToAsync(stream);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }
}
