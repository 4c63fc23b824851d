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
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData(prevHash);
        Span<byte> num = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(num, sequence);
        h.AppendData(num);
        BinaryPrimitives.WriteInt64BigEndian(num, (occurredAt.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10);
        h.AppendData(num);
        Field(h, actor);
        Field(h, actorRole);
        Field(h, action);
        Field(h, target);
        Field(h, details);
        Field(h, clientAddress);
        Field(h, outcome);
        return h.GetHashAndReset();
    }

    public static byte[] Compute(AuditEvent e) => Compute(
        e.PrevHash, e.Sequence, e.OccurredAt, e.Actor, e.ActorRole, e.Action, e.Target, e.Details,
        e.ClientAddress, e.Outcome);

    private static void Field(IncrementalHash h, string? value)
    {
        Span<byte> len = stackalloc byte[4];
        if (value is null)
        {
            BinaryPrimitives.WriteUInt32BigEndian(len, uint.MaxValue);
            h.AppendData(len);
            return;
        }
        var bytes = Encoding.UTF8.GetBytes(value);
        BinaryPrimitives.WriteUInt32BigEndian(len, (uint)bytes.Length);
        h.AppendData(len);
        h.AppendData(bytes);
    }

    public static string ToHex(byte[] hash) => Convert.ToHexStringLower(hash);

}
