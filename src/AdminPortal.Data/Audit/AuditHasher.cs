using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace AdminPortal.Data.Audit;

/// <summary>
/// The canonical encoding of an audit row and its hash: SHA-256 over the previous hash followed by every
/// field as a 4-byte big-endian length and its UTF-8 bytes (null is length 0xFFFFFFFF), in a fixed order.
/// Time is hashed as microseconds since the Unix epoch, which is what PostgreSQL stores.
/// </summary>
public static class AuditHasher
{
    public const int HashSize = 32;

    public static DateTimeOffset Truncate(DateTimeOffset t) =>
        new(t.UtcTicks - t.UtcTicks % 10, TimeSpan.Zero);

    public static byte[] Compute(
        ReadOnlySpan<byte> prevHash, long sequence, DateTimeOffset occurredAt, string actor, string actorRole,
        string action, string target, string details, string? clientAddress, string outcome)
    {
        // The encoding is written to one buffer and hashed in one call: the same bytes as appending field by
        // field, without a call into the crypto library per field (every bundle download hashes an event).
        var length = prevHash.Length + 16 + FieldsSize(actor, actorRole, action, target, details, clientAddress, outcome);
        var rented = length <= 1024 ? null : ArrayPool<byte>.Shared.Rent(length);
        var buffer = rented is null ? stackalloc byte[1024] : rented.AsSpan();
        try
        {
            var at = WriteHead(buffer, prevHash, sequence, occurredAt);
            at += WriteFields(buffer[at..], actor, actorRole, action, target, details, clientAddress, outcome);
            return SHA256.HashData(buffer[..at]);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The hash from the text fields already encoded by <see cref="WriteFields"/>: the audit batch writes them
    /// once, in the layout that is both this encoding and PostgreSQL's binary COPY fields (a 4-byte big-endian
    /// length, or -1 for null, and the UTF-8 bytes), and hashes them where they lie.
    /// </summary>
    public static void Compute(ReadOnlySpan<byte> prevHash, long sequence, DateTimeOffset occurredAt, ReadOnlySpan<byte> encodedFields, Span<byte> hash)
    {
        var length = prevHash.Length + 16 + encodedFields.Length;
        var rented = length <= 1024 ? null : ArrayPool<byte>.Shared.Rent(length);
        var buffer = rented is null ? stackalloc byte[1024] : rented.AsSpan();
        try
        {
            var at = WriteHead(buffer, prevHash, sequence, occurredAt);
            encodedFields.CopyTo(buffer[at..]);
            SHA256.HashData(buffer[..(at + encodedFields.Length)], hash);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The previous hash, the sequence and the time (microseconds since the Unix epoch), big-endian; returns the bytes written.</summary>
    private static int WriteHead(Span<byte> buffer, ReadOnlySpan<byte> prevHash, long sequence, DateTimeOffset occurredAt)
    {
        prevHash.CopyTo(buffer);
        var at = prevHash.Length;
        BinaryPrimitives.WriteInt64BigEndian(buffer[at..], sequence);
        BinaryPrimitives.WriteInt64BigEndian(buffer[(at + 8)..], (occurredAt.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10);
        return at + 16;
    }

    /// <summary>How many bytes <see cref="WriteFields"/> writes for these fields.</summary>
    public static int FieldsSize(string actor, string actorRole, string action, string target, string details, string? clientAddress, string outcome) =>
        Size(actor) + Size(actorRole) + Size(action) + Size(target) + Size(details) + Size(clientAddress) + Size(outcome);

    /// <summary>The seven text fields in hash order, each as a 4-byte big-endian length and its UTF-8 bytes; returns the bytes written.</summary>
    public static int WriteFields(Span<byte> buffer, string actor, string actorRole, string action, string target, string details, string? clientAddress, string outcome)
    {
        var at = Field(buffer, 0, actor);
        at = Field(buffer, at, actorRole);
        at = Field(buffer, at, action);
        at = Field(buffer, at, target);
        at = Field(buffer, at, details);
        at = Field(buffer, at, clientAddress);
        return Field(buffer, at, outcome);
    }

    public static byte[] Compute(AuditEvent e) => Compute(
        e.PrevHash, e.Sequence, e.OccurredAt, e.Actor, e.ActorRole, e.Action, e.Target, e.Details,
        e.ClientAddress, e.Outcome);

    private static int Size(string? value) => 4 + (value is null ? 0 : Encoding.UTF8.GetByteCount(value));

    /// <summary>A field as a 4-byte big-endian length and its UTF-8 bytes (null: length 0xFFFFFFFF and no bytes); returns the next offset.</summary>
    private static int Field(Span<byte> buffer, int at, string? value)
    {
        if (value is null)
        {
            BinaryPrimitives.WriteUInt32BigEndian(buffer[at..], uint.MaxValue);
            return at + 4;
        }
        var written = Encoding.UTF8.GetBytes(value, buffer[(at + 4)..]);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[at..], (uint)written);
        return at + 4 + written;
    }

    public static string ToHex(byte[] hash) => Convert.ToHexStringLower(hash);

}
