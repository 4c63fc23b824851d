using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using AdminPortal.Data.Audit;

namespace AdminPortal.Tests.Audit;

/// <summary>
/// The batch's COPY rows: each row's hash is the canonical <see cref="AuditHasher"/> hash of that row, chained
/// to the one before, and the bytes are PostgreSQL's binary COPY layout (the database tests then store them).
/// </summary>
public sealed class AuditCopyRowsTests
{
    private static readonly (string Actor, string Role, string Action, string Target, string Details, string? Address, string Outcome)[] Events =
    [
        ("operator:zoë@example.test", "Admin", "bundle.downloaded", "vpn-user:dana", """{"serial":"0A1B"}""", null, "success"),
        ("", "", "", "", "{}", "2001:db8::1", ""),
        ("token:helpdesk", "Helpdesk", "x", "ünïcödé ✓ 𝄞", "{\"note\":\"" + new string('é', 3000) + "\"}", "127.0.0.1", "failure"),
    ];

    [Fact]
    public void Each_row_carries_the_canonical_hash_chained_to_the_row_before()
    {
        var head = RandomNumberGenerator.GetBytes(32);
        var at = AuditHasher.Truncate(new DateTimeOffset(2026, 11, 26, 20, 0, 0, TimeSpan.Zero).AddTicks(7654321));
        using var rows = new AuditCopyRows(head, capacity: 256); // small: the buffer has to grow

        for (var i = 0; i < Events.Length; i++)
        {
            var e = Events[i];
            rows.Add(100 + i, at, e.Actor, e.Role, e.Action, e.Target, e.Details, e.Address, e.Outcome);
        }
        rows.End();

        var bytes = rows.Pending.Span;
        byte[] signature = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0];
        Assert.True(bytes[..11].SequenceEqual(signature));
        var pos = 19; // signature, flags, header extension
        var prev = head;
        for (var i = 0; i < Events.Length; i++)
        {
            var e = Events[i];
            Assert.Equal(11, BinaryPrimitives.ReadInt16BigEndian(bytes[pos..]));
            pos += 2;
            var fields = new List<byte[]?>();
            for (var f = 0; f < 11; f++)
            {
                var len = BinaryPrimitives.ReadInt32BigEndian(bytes[pos..]);
                pos += 4;
                fields.Add(len < 0 ? null : bytes.Slice(pos, len).ToArray());
                pos += Math.Max(len, 0);
            }
            Assert.Equal(100 + i, BinaryPrimitives.ReadInt64BigEndian(fields[0]));
            var pgMicros = (at.UtcTicks - new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks) / 10;
            Assert.Equal(pgMicros, BinaryPrimitives.ReadInt64BigEndian(fields[1]));
            string?[] texts = [e.Actor, e.Role, e.Action, e.Target, e.Details, e.Address, e.Outcome];
            for (var t = 0; t < texts.Length; t++)
                Assert.Equal(texts[t], fields[2 + t] is { } b ? Encoding.UTF8.GetString(b) : null);
            Assert.Equal(prev, fields[9]);
            var expected = AuditHasher.Compute(prev, 100 + i, at, e.Actor, e.Role, e.Action, e.Target, e.Details, e.Address, e.Outcome);
            Assert.Equal(expected, fields[10]);
            prev = expected;
        }
        Assert.Equal(-1, BinaryPrimitives.ReadInt16BigEndian(bytes[pos..]));
        Assert.Equal(bytes.Length, pos + 2);
        Assert.Equal(prev, rows.LastHash);
    }

    [Fact]
    public void Clearing_keeps_the_chain()
    {
        var head = new byte[32];
        var at = AuditHasher.Truncate(DateTimeOffset.UnixEpoch.AddYears(57));
        using var rows = new AuditCopyRows(head);
        rows.Add(1, at, "a", "b", "c", "d", "{}", null, "success");
        var first = rows.LastHash;
        rows.Clear();
        rows.Add(2, at, "a", "b", "c", "d", "{}", null, "success");

        Assert.Equal(AuditHasher.Compute(first, 2, at, "a", "b", "c", "d", "{}", null, "success"), rows.LastHash);
        Assert.Equal(2 + 11 * 4 + 8 + 8 + 1 + 1 + 1 + 1 + 2 + 7 + 32 + 32, rows.Pending.Length); // only the second row, no header
    }
}
