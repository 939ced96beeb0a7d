using System.Buffers;
using System.Text.Json;

namespace Monitor.Proxy;

/// <summary>
/// Reads the usage of a JSON response as its bytes pass, in constant memory whatever its size (embeddings, OCR pages):
/// a small state machine follows the top level of the object and keeps only the values of <c>model</c>, <c>usage</c>
/// and <c>usage_info</c> (each up to <see cref="MaxValueBytes"/>); everything else is skipped, never stored.
/// </summary>
public sealed class JsonUsageScanner : IDisposable
{
    public const int MaxValueBytes = 64 * 1024;

    private static readonly byte[][] Wanted = ["model"u8.ToArray(), "usage"u8.ToArray(), "usage_info"u8.ToArray()];

    private readonly byte[]?[] _values = new byte[Wanted.Length][];
    private readonly int[] _lengths = new int[Wanted.Length];
    private readonly byte[] _key = new byte[16];
    private int _keyLength = -1; // -1: not reading a key
    private int _depth;
    private bool _inString;
    private bool _escape;
    private bool _expectKey;
    private int _lastKey = -1;   // index in Wanted of the key just read, or -1
    private int _capturing = -1; // index in Wanted of the value being captured, or -1

    /// <summary>Feeds the next bytes of the response.</summary>
    public void Feed(ReadOnlySpan<byte> bytes)
    {
        var captureFrom = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (_inString)
            {
                if (_escape)
                    _escape = false;
                else if (b == (byte)'\\')
                    _escape = true;
                else if (b == (byte)'"')
                {
                    _inString = false;
                    if (_keyLength >= 0)
                    {
                        _lastKey = WantedIndex(_key.AsSpan(0, Math.Min(_keyLength, _key.Length)), _keyLength);
                        _keyLength = -1;
                    }

                    continue;
                }

                if (_keyLength >= 0)
                {
                    if (_keyLength < _key.Length)
                        _key[_keyLength] = b;
                    _keyLength++;
                }

                continue;
            }

            switch (b)
            {
                case (byte)'"':
                    _inString = true;
                    if (_depth == 1 && _expectKey)
                    {
                        _keyLength = 0;
                        _expectKey = false;
                    }

                    break;
                case (byte)'{' or (byte)'[':
                    _depth++;
                    if (_depth == 1)
                        _expectKey = b == (byte)'{';
                    break;
                case (byte)'}' or (byte)']':
                    if (_depth == 1)
                        EndCapture(bytes, ref captureFrom, i);
                    _depth--;
                    break;
                case (byte)':' when _depth == 1:
                    if (_lastKey >= 0)
                    {
                        _capturing = _lastKey;
                        _lengths[_capturing] = 0;
                        captureFrom = i + 1;
                    }

                    _lastKey = -1;
                    break;
                case (byte)',' when _depth == 1:
                    EndCapture(bytes, ref captureFrom, i);
                    _expectKey = true;
                    break;
                default:
                    break;
            }
        }

        if (_capturing >= 0)
        {
            Append(bytes[captureFrom..]);
        }
    }

    /// <summary>Reads what was kept into <paramref name="usage"/>.</summary>
    public void ReadInto(ResponseUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        for (var i = 0; i < Wanted.Length; i++)
        {
            if (_values[i] is not { } value || _lengths[i] <= 0)
                continue;
            try
            {
                using var document = JsonDocument.Parse(value.AsMemory(0, _lengths[i]));
                switch (i)
                {
                    case 0 when document.RootElement.ValueKind == JsonValueKind.String:
                        usage.Model ??= document.RootElement.GetString();
                        break;
                    case 1:
                        usage.ReadUsage(document.RootElement);
                        break;
                    case 2:
                        usage.ReadOcrUsage(document.RootElement);
                        break;
                    default:
                        break;
                }
            }
            catch (JsonException)
            {
                // A value cut at MaxValueBytes or a response that is not JSON: no usage from it.
            }
        }
    }

    public void Dispose()
    {
        for (var i = 0; i < _values.Length; i++)
        {
            if (_values[i] is { } rented)
                ArrayPool<byte>.Shared.Return(rented);
            _values[i] = null;
        }
    }

    private void EndCapture(ReadOnlySpan<byte> bytes, ref int captureFrom, int end)
    {
        if (_capturing < 0)
            return;
        Append(bytes[captureFrom..end]);
        _capturing = -1;
    }

    private void Append(ReadOnlySpan<byte> part)
    {
        var i = _capturing;
        var length = _lengths[i];
        if (length < 0 || part.IsEmpty)
            return;
        if (length + part.Length > MaxValueBytes)
        {
            _lengths[i] = -1; // too large to be a usage object: ignored
            return;
        }

        var buffer = _values[i];
        if (buffer is null || buffer.Length < length + part.Length)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(256, (length + part.Length) * 2));
            if (buffer is not null)
            {
                buffer.AsSpan(0, length).CopyTo(grown);
                ArrayPool<byte>.Shared.Return(buffer);
            }

            _values[i] = buffer = grown;
        }

        part.CopyTo(buffer.AsSpan(length));
        _lengths[i] = length + part.Length;
    }

    private static int WantedIndex(ReadOnlySpan<byte> key, int fullLength)
    {
        for (var i = 0; i < Wanted.Length; i++)
        {
            if (fullLength == Wanted[i].Length && key.SequenceEqual(Wanted[i]))
                return i;
        }

        return -1;
    }
}
