using System.Buffers;
using System.Buffers.Binary;

namespace AdminPortal.Data.Audit;

/// <summary>
/// Audit rows in PostgreSQL's binary COPY format (https://www.postgresql.org/docs/current/sql-copy.html), each
/// chained to the one before: the seven text fields are encoded once, and that encoding is both the COPY
/// fields and the <see cref="AuditHasher"/> input, so a row is hashed where it lies. The columns are those of
/// <see cref="Columns"/>, in that order. Rows accumulate in a pooled buffer that the caller sends and clears.
/// </summary>
public sealed class AuditCopyRows : IDisposable
{
    public const string Columns = "sequence, occurred_at, actor, actor_role, action, target, details, client_address, outcome, prev_hash, hash";

    private const short FieldCount = 11;

    /// <summary>PostgreSQL's timestamptz is microseconds since 2000-01-01 UTC.</summary>
    private static readonly long PostgresEpochTicks = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;

    private readonly byte[] _prev = new byte[AuditHasher.HashSize];
    private byte[] _buffer;
    private int _length;

    /// <param name="prevHash">The chain head's hash, which the first row links to.</param>
    public AuditCopyRows(ReadOnlySpan<byte> prevHash, int capacity = 64 * 1024)
    {
        if (prevHash.Length != AuditHasher.HashSize) throw new ArgumentException("An audit hash is 32 bytes.", nameof(prevHash));
        prevHash.CopyTo(_prev);
        _buffer = ArrayPool<byte>.Shared.Rent(capacity);
        // Signature, flags (no OIDs), header extension length.
        ReadOnlySpan<byte> header = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];
        header.CopyTo(_buffer);
        _length = header.Length;
    }

    /// <summary>The rows (and the header, before the first send) not sent yet.</summary>
    public ReadOnlyMemory<byte> Pending => _buffer.AsMemory(0, _length);

    /// <summary>The hash of the last row added: the chain's new head.</summary>
    public byte[] LastHash => (byte[])_prev.Clone();

    /// <summary>After <see cref="Pending"/> was sent.</summary>
    public void Clear() => _length = 0;

    /// <summary>Adds the row that follows the last one; the texts must be storable (<see cref="AuditText.Clean"/>).</summary>
    public void Add(long sequence, DateTimeOffset occurredAt, string actor, string actorRole, string action, string target,
        string details, string? clientAddress, string outcome)
    {
        var fields = AuditHasher.FieldsSize(actor, actorRole, action, target, details, clientAddress, outcome);
        var size = 2 + (4 + 8) * 2 + fields + (4 + AuditHasher.HashSize) * 2;
        Ensure(size);
        var row = _buffer.AsSpan(_length, size);
        BinaryPrimitives.WriteInt16BigEndian(row, FieldCount);
        BinaryPrimitives.WriteInt32BigEndian(row[2..], 8);
        BinaryPrimitives.WriteInt64BigEndian(row[6..], sequence);
        BinaryPrimitives.WriteInt32BigEndian(row[14..], 8);
        BinaryPrimitives.WriteInt64BigEndian(row[18..], (occurredAt.UtcTicks - PostgresEpochTicks) / 10);
        var encoded = row.Slice(26, fields);
        AuditHasher.WriteFields(encoded, actor, actorRole, action, target, details, clientAddress, outcome);
        var at = 26 + fields;
        BinaryPrimitives.WriteInt32BigEndian(row[at..], AuditHasher.HashSize);
        _prev.CopyTo(row[(at + 4)..]);
        BinaryPrimitives.WriteInt32BigEndian(row[(at + 36)..], AuditHasher.HashSize);
        var hash = row.Slice(at + 40, AuditHasher.HashSize);
        AuditHasher.Compute(_prev, sequence, occurredAt, encoded, hash);
        hash.CopyTo(_prev);
        _length += size;
    }

    /// <summary>The end-of-data marker, after the last row.</summary>
    public void End()
    {
        Ensure(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_length), -1);
        _length += 2;
    }

    private void Ensure(int size)
    {
        if (_length + size <= _buffer.Length) return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + size));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
}
