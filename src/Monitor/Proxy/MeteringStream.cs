using System.Buffers;
using System.IO.Compression;

namespace Monitor.Proxy;

/// <summary>
/// The upstream's response body as YARP reads it to forward it, read once and metered on the way.
/// <list type="bullet">
/// <item>Server-sent events: each event is passed on as soon as it is complete (the caller's SSE parser could do
/// nothing with less), through <see cref="SseUsageFilter"/>; nothing is held longer than its own event.</item>
/// <item>JSON: bytes pass as they arrive; <see cref="JsonUsageScanner"/> keeps only model and usage.</item>
/// <item>A compressed body (an upstream that ignored <c>Accept-Encoding: identity</c>): bytes pass unchanged; a copy of
/// up to <see cref="MaxCompressedCopy"/> bytes is decoded for metering at the end.</item>
/// </list>
/// The usage lands in <see cref="ResponseUsage"/> when the body ends or the stream is disposed (a call cut short is
/// metered with what it reported so far).
/// </summary>
public sealed class MeteringStream : Stream
{
    public const int MaxEventBytes = 1024 * 1024;
    public const int MaxCompressedCopy = 8 * 1024 * 1024;

    private readonly Stream _inner;
    private readonly ResponseUsage _usage;
    private readonly SseUsageFilter? _sse;
    private readonly JsonUsageScanner? _json;
    private readonly string? _encoding;
    private readonly bool _compressedSse;
    private MemoryStream? _compressed;
    private byte[]? _buffer;
    private int _ready;      // _buffer[0.._ready) is filtered and ready for the caller, from _readyStart
    private int _readyStart;
    private int _pending;    // _buffer[_ready.._pending) is an incomplete event
    private bool _passThrough;
    private bool _finished;

    public MeteringStream(Stream inner, ResponseUsage usage, string? mediaType, string? contentEncoding, bool removeRequestedUsage)
    {
        _inner = inner;
        _usage = usage;
        var sse = string.Equals(mediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase);
        if (!string.IsNullOrEmpty(contentEncoding) && !string.Equals(contentEncoding, "identity", StringComparison.OrdinalIgnoreCase))
        {
            _encoding = contentEncoding.Trim().ToLowerInvariant();
            _compressedSse = sse;
            _compressed = new MemoryStream();
        }
        else if (sse)
            _sse = new SseUsageFilter(usage, removeRequestedUsage);
        else
            _json = new JsonUsageScanner();
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var destination = buffer;
        if (_sse is null)
        {
            var read = await _inner.ReadAsync(destination, cancellationToken);
            if (read == 0)
            {
                if (destination.Length > 0)
                    Finish();
                return 0;
            }

            var bytes = destination.Span[..read];
            if (_json is not null)
                _json.Feed(bytes);
            else if (_compressed is not null && _compressed.Length + read <= MaxCompressedCopy)
                _compressed.Write(bytes);
            return read;
        }

        while (true)
        {
            if (_ready > _readyStart)
            {
                var count = Math.Min(_ready - _readyStart, destination.Length);
                _buffer.AsSpan(_readyStart, count).CopyTo(destination.Span);
                _readyStart += count;
                return count;
            }

            if (destination.Length == 0)
                return await _inner.ReadAsync(destination, cancellationToken); // the caller waits for data without a buffer
            if (_finished)
                return 0;

            // Keep the incomplete event at the start of the buffer and read more behind it.
            _buffer ??= ArrayPool<byte>.Shared.Rent(16 * 1024);
            var incomplete = _pending - _ready;
            if (_ready > 0 && incomplete > 0)
                _buffer.AsSpan(_ready, incomplete).CopyTo(_buffer);
            _ready = _readyStart = 0;
            _pending = incomplete;
            if (_pending == _buffer.Length)
                Grow();

            var read = await _inner.ReadAsync(_buffer.AsMemory(_pending), cancellationToken);
            if (read == 0)
            {
                // The body ended: whatever is left (an event without its blank line) is metered and passed on.
                _ready = _pending = _passThrough ? _pending : _sse.Process(_buffer.AsSpan(0, _pending));
                Finish();
                continue;
            }

            _pending += read;
            CutEvents();
        }
    }

    /// <summary>Filters the complete events at the start of the incomplete part; moves them to the ready part.</summary>
    private void CutEvents()
    {
        var buffer = _buffer!;
        while (_ready < _pending)
        {
            if (_passThrough)
            {
                _ready = _pending;
                return;
            }

            var length = SseEvent.Length(buffer.AsSpan(_ready, _pending - _ready));
            if (length < 0)
                return;
            var kept = _sse!.Process(buffer.AsSpan(_ready, length));
            if (kept < length)
            {
                buffer.AsSpan(_ready + length, _pending - _ready - length).CopyTo(buffer.AsSpan(_ready + kept));
                _pending -= length - kept;
            }

            _ready += kept;
        }
    }

    private void Grow()
    {
        if (_buffer!.Length >= MaxEventBytes)
        {
            // An event larger than any provider sends: stop filtering and pass everything on as it comes.
            _passThrough = true;
            _ready = _pending;
            return;
        }

        var grown = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
        _buffer.AsSpan(0, _pending).CopyTo(grown);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = grown;
    }

    /// <summary>Reads what the body reported into the usage, once.</summary>
    private void Finish()
    {
        if (_finished)
            return;
        _finished = true;
        _json?.ReadInto(_usage);
        if (_compressed is not null)
            MeterCompressed();
    }

    private void MeterCompressed()
    {
        try
        {
            _compressed!.Position = 0;
            using Stream decoded = _encoding switch
            {
                "gzip" or "x-gzip" => new GZipStream(_compressed, CompressionMode.Decompress),
                "br" => new BrotliStream(_compressed, CompressionMode.Decompress),
                "deflate" => new ZLibStream(_compressed, CompressionMode.Decompress),
                _ => Stream.Null,
            };
            var chunk = new byte[16 * 1024];
            if (_compressedSse)
            {
                using var text = new MemoryStream();
                decoded.CopyTo(text);
                var filter = new SseUsageFilter(_usage, removeRequestedUsage: false);
                var all = text.GetBuffer().AsSpan(0, (int)text.Length);
                while (!all.IsEmpty)
                {
                    var length = SseEvent.Length(all);
                    if (length < 0)
                        length = all.Length;
                    filter.Process(all[..length].ToArray());
                    all = all[length..];
                }
            }
            else
            {
                using var scanner = new JsonUsageScanner();
                int read;
                while ((read = decoded.Read(chunk)) > 0)
                    scanner.Feed(chunk.AsSpan(0, read));
                scanner.ReadInto(_usage);
            }
        }
        catch (InvalidDataException)
        {
            // Not what its Content-Encoding said (or cut at MaxCompressedCopy): the call is metered without usage.
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // A body cut short (the client left, the upstream failed) still reports what it had reported so far.
            if (!_finished && _sse is not null && _buffer is not null && _pending > _ready)
                _sse.Process(_buffer.AsSpan(_ready, _pending - _ready));
            Finish();
            _json?.Dispose();
            _compressed?.Dispose();
            if (_buffer is not null)
                ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
