using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using AdminPortal.Data.Audit;

namespace AdminPortal.Tests.Audit;

/// <summary>The canonical encoding, written out field by field as documented: chains already stored must keep verifying.</summary>
public sealed class AuditHasherTests
{
    [Theory]
    [InlineData("operator:zoë@example.test", "Admin", "bundle.downloaded", "vpn-user:dana", """{"serial":"0A1B"}""", null, "success")]
    [InlineData("", "", "", "", "{}", "2001:db8::1", "")]
    [InlineData("token:helpdesk", "Helpdesk", "x", "ünïcödé ✓ 𝄞", "LONG", "127.0.0.1", "failure")]
    public void The_hash_is_SHA256_over_the_previous_hash_the_numbers_and_each_field_with_its_length(
        string actor, string role, string action, string target, string details, string? address, string outcome)
    {
        if (details == "LONG") details = "{\"note\":\"" + new string('é', 3000) + "\"}"; // past the stack buffer
        var prev = RandomNumberGenerator.GetBytes(32);
        var at = AuditHasher.Truncate(new DateTimeOffset(2026, 11, 26, 17, 0, 0, TimeSpan.Zero).AddTicks(1234567));

        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData(prev);
        var num = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(num, 4242);
        h.AppendData(num);
        BinaryPrimitives.WriteInt64BigEndian(num, (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10);
        h.AppendData(num);
        foreach (var field in new[] { actor, role, action, target, details, address, outcome })
        {
            var len = new byte[4];
            if (field is null) { BinaryPrimitives.WriteUInt32BigEndian(len, uint.MaxValue); h.AppendData(len); continue; }
            var bytes = Encoding.UTF8.GetBytes(field);
            BinaryPrimitives.WriteUInt32BigEndian(len, (uint)bytes.Length);
            h.AppendData(len);
            h.AppendData(bytes);
        }

        Assert.Equal(h.GetHashAndReset(), AuditHasher.Compute(prev, 4242, at, actor, role, action, target, details, address, outcome));
    }
}
