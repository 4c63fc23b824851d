using System.Security.Cryptography;
using System.Text;

namespace AdminPortal.Web.Hosts.Runs;

/// <summary>
/// One host's output as it arrives: every byte is counted and hashed (SHA-256, stdout and stderr in arrival order);
/// the first <c>maxStored</c> bytes are kept as lines stamped with time and stream; a short tail is kept for live views.
/// </summary>
public sealed class OutputCapture(int maxStored, TimeProvider time)
{
    public const int TailLines = 500;
    private const int MaxPartialLine = 8 * 1024;
    private readonly object _gate = new();
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly StringBuilder _stored = new();
    private readonly Queue<string> _tail = new();
    private readonly (Decoder Decoder, StringBuilder Line)[] _streams = [(Encoding.UTF8.GetDecoder(), new()), (Encoding.UTF8.GetDecoder(), new())];
    private long _storedBytes;
    private string? _hash;

    public long TotalBytes { get; private set; }
    public bool Truncated { get; private set; }

    /// <summary>Raised (on the writer's thread) after new output arrived.</summary>
    public event Action? Changed;

    public void Write(bool stderr, ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            _sha.AppendData(data);
            TotalBytes += data.Length;
            var room = (int)Math.Min(data.Length, Math.Max(0, maxStored - _storedBytes));
            if (room < data.Length) Truncated = true;
            if (room > 0)
            {
                _storedBytes += room;
                var (decoder, line) = _streams[stderr ? 1 : 0];
                var chars = new char[decoder.GetCharCount(data[..room], flush: false)];
                decoder.GetChars(data[..room], chars, flush: false);
                foreach (var c in chars)
                {
                    if (c == '\n') Emit(stderr, line);
                    else if (line.Append(c).Length >= MaxPartialLine) Emit(stderr, line);
                }
            }
        }
        Changed?.Invoke();
    }

    /// <summary>Ends the capture: flushes partial lines and notes a truncation. Idempotent.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            if (_hash is not null) return;
            for (var i = 0; i < 2; i++) if (_streams[i].Line.Length > 0) Emit(i == 1, _streams[i].Line);
            if (Truncated)
                AddLine($"[output truncated: {TotalBytes - _storedBytes:N0} more bytes were counted and hashed but not kept]");
            _hash = Convert.ToHexStringLower(_sha.GetHashAndReset());
        }
        Changed?.Invoke();
    }

    public string Sha256 => _hash ?? throw new InvalidOperationException("Complete the capture first.");

    public string Stored
    {
        get { lock (_gate) return _stored.ToString(); }
    }

    public IReadOnlyList<string> Tail()
    {
        lock (_gate) return _tail.ToList();
    }

    private void Emit(bool stderr, StringBuilder line)
    {
        AddLine($"{time.GetUtcNow():HH:mm:ss.fff} {(stderr ? "err" : "out")} {line}");
        line.Clear();
    }

    private void AddLine(string text)
    {
        _stored.Append(text).Append('\n');
        _tail.Enqueue(text);
        if (_tail.Count > TailLines) _tail.Dequeue();
    }
}
